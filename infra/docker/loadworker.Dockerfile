# The load worker (`gridstream loadtest worker`) for ECS Fargate tasks started by
# `gridstream loadtest run --workers N --on ecs` (docs/LOADTEST.md, "At scale on AWS"). Built by `cdk deploy`
# from the repository root (ContainerImage.fromAsset; synth only stages LOADWORKER_IMAGE_FILES), or by CI and
# pushed to the ECR repository named by `loadtest.imageRepository`.

# The compiled CLI: TypeScript is a dev dependency, so the build has its own stage.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs
# Files the code reads at run time from the package root (common/packageRoot): the shipped scenarios, their
# JSON Schema, the price table, the Avro contracts, the lake's JSON Schemas and sql/. tsc does not copy them.
RUN mkdir /runtime && find loadtest schemas sql -type f \
      \( -name '*.yaml' -o -name '*.json' -o -name '*.avsc' -o -name '*.sql' \) -not -path '*/node_modules/*' \
      -exec cp --parents {} /runtime/ \;

# Run-time dependencies only (no install scripts: none is needed, and `prepare` would build without TypeScript).
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
# package.json: "type": "module" for dist/, and the root the code finds its files from (common/packageRoot).
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /runtime/ ./
# Writable scratch (TMPDIR: the staged scenario, the result file before its upload): the task mounts a
# volume here (the root file system is read-only), and Fargate takes the volume's owner from this directory.
RUN mkdir -p /var/lib/gridstream && chown node:node /var/lib/gridstream
USER node
# The task definition repeats this entry point; each task's command is its worker arguments
# (--index I --of N --run RUN_ID --scenario URL --results s3://… --start-at ISO).
ENTRYPOINT ["node", "dist/cli/run.js", "loadtest", "worker"]

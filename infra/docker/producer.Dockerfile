# The continuous synthetic producers (`gridstream produce`) for the ECS Fargate service.
# Built by `cdk deploy` from the repository root (ContainerImage.fromAsset); synth only stages the files
# (PRODUCER_IMAGE_FILES: the CLI build's folders, as tsconfig.build.json lists them).

# The compiled CLI: TypeScript is a dev dependency, so the build has its own stage.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs

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
# Writable scratch for the reject file: the task mounts a volume here (the root file system is read-only),
# and Fargate takes the volume's owner from this directory of the image.
RUN mkdir -p /var/lib/gridstream && chown node:node /var/lib/gridstream
USER node
ENTRYPOINT ["node", "dist/cli/run.js", "produce"]

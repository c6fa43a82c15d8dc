# The continuous synthetic producers (`gridstream produce`) for the ECS Fargate service.
# Built by `cdk deploy` from the repository root (ContainerImage.fromAsset); synth only stages the files.
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY common ./common
COPY schemas ./schemas
COPY producers ./producers
# Writable scratch for the reject file: the task mounts a volume here (the root file system is read-only),
# and Fargate takes the volume's owner from this directory of the image.
RUN mkdir -p /var/lib/gridstream && chown node:node /var/lib/gridstream
USER node
ENTRYPOINT ["node", "bin/gridstream.js", "produce"]

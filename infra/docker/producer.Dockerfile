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
COPY schemas ./schemas
COPY producers ./producers
USER node
ENTRYPOINT ["node", "bin/gridstream.js", "produce"]

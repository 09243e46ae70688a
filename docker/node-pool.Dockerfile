# HiveMind node pool: gRPC :50051 + HTTP :8080, serving the built web console at /.
# Build from the repository root:  docker build -f docker/node-pool.Dockerfile -t hivemind/node-pool .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nest build node-pool && npx ng build web

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WEB_ROOT=/app/web \
    STORAGE_PATH=/var/lib/hivemind/storage
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/apps/node-pool ./dist/apps/node-pool
COPY --from=build /src/dist/apps/web/browser ./web
RUN mkdir -p /var/lib/hivemind/storage && chown -R node:node /var/lib/hivemind
USER node
EXPOSE 8080 50051
VOLUME ["/var/lib/hivemind/storage"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node flags: NODE_POOL_NODE_FLAGS (libs/config/src/node-flags.ts)
CMD ["node", "--max-semi-space-size=8", "dist/apps/node-pool/apps/node-pool/src/main.js"]

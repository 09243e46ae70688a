# HiveMind worker agent. It starts task containers through the host's Docker engine, so run it with
# the engine's socket mounted (see compose.yaml) and a workspace path that is the same inside and
# outside the container (task workspaces are bind-mounted by the host engine).
# Build from the repository root:  docker build -f docker/worker.Dockerfile -t hivemind/worker .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nest build worker && npx ng build worker-console

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WORKER_HTTP_HOST=0.0.0.0 \
    WORK_DIR=/var/lib/hivemind/worker
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/apps/worker ./dist/apps/worker
# the worker console, served by the worker at / (docs/worker-console.md)
COPY --from=build /src/dist/apps/worker-console/browser ./dist/apps/worker-console/browser
EXPOSE 5000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.WORKER_HTTP_PORT||5000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/worker/apps/worker/src/main.js"]

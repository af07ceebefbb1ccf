# syntax=docker/dockerfile:1
# One image per app, chosen by the APP build argument (gateway, registry, scheduler, result-store, agent):
#   docker build --build-arg APP=gateway -t ghcr.io/contextforge/gateway:0.1.0 .
# The runtime image holds node, the app's bundle (dist/apps/<APP>: main.js, SQL migrations, .proto files)
# and the production node_modules; no shell, no npm, a non-root user. Kubernetes runs it with a read-only
# root filesystem (k8s/); the Deployment passes `dist/apps/<APP>/main.js` explicitly.

ARG NODE_MAJOR=20

# 1. Build: all dependencies, generate the Prisma client, bundle the app with esbuild.
FROM node:${NODE_MAJOR}-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP
RUN test -n "${APP}" && test -f "apps/${APP}/src/main.ts"
RUN npm run generate && node tools/scripts/build-app.mjs "${APP}" \
  && printf 'require("./dist/apps/%s/main.js");\n' "${APP}" > dist/start.cjs

# 2. Production dependencies only (no install scripts: nothing the apps load needs one).
FROM node:${NODE_MAJOR}-slim AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Runtime: distroless Node.js (no shell, no package manager), running as uid 65532.
FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot AS runtime
ARG APP
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/dist/apps/${APP} ./dist/apps/${APP}
COPY --from=build /src/dist/start.cjs ./start.cjs
USER 65532:65532
# The distroless entrypoint is node; start.cjs loads dist/apps/<APP>/main.js.
CMD ["start.cjs"]

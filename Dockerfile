# syntax=docker/dockerfile:1
#
# One image for every Weft service, and for the examples; the command chooses which one runs:
#
#   docker build -t weft .
#   docker run weft                                              # the gateway (the default)
#   docker run weft node services/orchestrator/dist/main.js
#   docker run weft node services/worker/dist/main.js            # STEP_TYPES chooses the pool
#   docker run weft node services/webhooks/dist/main.js
#   docker run weft node packages/cli/dist/cli.js apps create demo --json
#   docker run weft node examples/custom-worker/dist/worker.js   # a worker of your own (@weft/worker)
#
# Every npm workspace (packages/*, services/*, examples/*) is built and shipped: npm ci installs a
# workspace (its dependencies, its link in node_modules/@weft) only when it finds its package.json.
# examples/custom-worker is a worker of your own on the worker SDK, shipped so that compose and
# Kubernetes can show one running from this image (deploy/k8s/README.md, "Your own worker pool").
#
# Debian (glibc) on purpose: sharp and @resvg/resvg-js install prebuilt linux-x64 / linux-arm64
# glibc binaries as optional npm packages, which Alpine (musl) would not run.

ARG NODE_IMAGE=node:24-bookworm-slim

# Only the package manifests, so that the dependency layer below is rebuilt when they change and
# not on every source edit (the copy of them is identical, so its layer stays cached).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
  && cp package.json package-lock.json /manifests/ \
  && for manifest in packages/*/package.json services/*/package.json examples/*/package.json; do \
       mkdir -p "/manifests/$(dirname "$manifest")" && cp "$manifest" "/manifests/$manifest"; \
     done

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# Compile (the packages, services and examples, and the console's bundle), drop the dev
# dependencies, then everything that does not run: sources, type declarations, build info.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf packages/*/src services/*/src examples/*/src packages/console/app \
       packages/*/tsconfig*.json services/*/tsconfig*.json examples/*/tsconfig*.json \
  && find packages services examples -name '*.tsbuildinfo' -delete \
  && find packages services examples -path '*/dist/*' \( -name '*.d.ts' -o -name '*.d.ts.map' \) -delete \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the service's user: the code cannot be changed by what runs it.
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
COPY --from=build /src/services ./services
COPY --from=build /src/examples ./examples
# The image's `node` user, by number, so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# The gateway's API (PORT) and the other services' /healthz, /readyz, /metrics (HEALTH_PORT).
EXPOSE 8080 9090
CMD ["node", "services/gateway/dist/main.js"]

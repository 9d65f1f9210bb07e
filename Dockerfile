# Forte Cloud as a container: one instance; run several behind a load balancer on a shared PostgreSQL,
# S3-compatible store and NATS (deploy/compose.yaml). Build from the repository root:
#   docker build -t forte-cloud .
FROM node:20-bookworm-slim AS build
# better-sqlite3 builds from source where no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /forte
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production FORTE_HOME=/var/lib/forte
WORKDIR /forte
COPY --from=build /forte/package.json ./
COPY --from=build /forte/node_modules ./node_modules
COPY --from=build /forte/packages/protocol ./packages/protocol
COPY --from=build /forte/packages/cloud ./packages/cloud
RUN mkdir -p /var/lib/forte/cloud && chown -R node:node /var/lib/forte
USER node
EXPOSE 20002
# Ready (not only alive): 503 while starting, stopping or when the database does not answer.
HEALTHCHECK --interval=5s --timeout=3s CMD node -e "fetch('http://127.0.0.1:20002/_forte/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# SIGTERM drains: /_forte/ready answers 503 for FORTE_DRAIN_SECONDS before connections end.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "packages/cloud/dist/bin.js", "--host", "0.0.0.0", "--port", "20002", "--data-dir", "/var/lib/forte/cloud"]

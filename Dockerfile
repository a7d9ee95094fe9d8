# claw's container image: `docker build -t claw .`, then see docs/production.md for the run command.
#
# Two stages. The build stage compiles better-sqlite3 from source (a C++ toolchain) and the TypeScript, then
# drops the dev dependencies. The runtime stage holds only Node, the compiled JavaScript and the production
# node_modules, runs as an unprivileged user, and writes nothing outside /var/lib/claw (the data directory, a
# volume), so it runs with a read-only root filesystem.

# --- build ---
FROM node:20-bookworm-slim AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs the sources, copied next; better-sqlite3's own build runs after.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY api api
COPY cmd cmd
COPY controllers controllers
COPY crds crds
COPY manifests manifests
COPY hack hack
RUN npm run build && npm prune --omit=dev --ignore-scripts

# --- runtime ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/crds crds
COPY --from=build /src/manifests manifests
# A fixed unprivileged user that owns only the data directory; the image's files stay root-owned and read-only to it.
RUN groupadd --system --gid 10001 claw \
 && useradd --system --uid 10001 --gid claw --home-dir /var/lib/claw --shell /usr/sbin/nologin claw \
 && mkdir -p /var/lib/claw /etc/claw \
 && chown claw:claw /var/lib/claw && chmod 0700 /var/lib/claw
USER 10001:10001
ENV HOME=/var/lib/claw
VOLUME ["/var/lib/claw"]
EXPOSE 8080
# No shell form: signals reach node directly, and SIGTERM drains the server.
ENTRYPOINT ["node", "/app/dist/cmd/claw.js"]
CMD ["server", "--data-dir", "/var/lib/claw", "--listen", "0.0.0.0:8080"]

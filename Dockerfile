# The API (and its commands: migrate, backup, restore, generate). better-sqlite3 compiles
# from source. The store is chosen by EVENT_STORE_URL: SQLite on /data, or EventStoreDB.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The server's code cache, written now: the server runs as `node` and cannot write dist/.
# The flags must be those of the CMD below (V8 takes a cache only under the same flags).
RUN npm run build \
  && node apps/api/scripts/warm-code-cache.js --max-semi-space-size=64 \
  && npm prune --omit=dev

FROM node:20-bookworm-slim
# glibc's malloc asks for transparent huge pages, as `npm start` does (README, Performance,
# "This machine"): a start touches hundreds of MB of fresh memory at once (a large snapshot).
ENV NODE_ENV=production PORT=3000 EVENT_STORE_URL=sqlite:/data/events.db \
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# A named volume takes the ownership of the directory it is mounted on.
RUN mkdir /data && chown node:node /data
VOLUME /data
EXPOSE 3000
USER node
# A young generation that may grow to 64 MiB, for a rebuild's short-lived garbage; it starts
# small, since a start from a snapshot allocates mostly what it keeps (README, "P5").
CMD ["node", "--max-semi-space-size=64", "dist/apps/api/src/main.js"]

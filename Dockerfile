# syntax=docker/dockerfile:1
# Small production image: compiled JavaScript, production dependencies only (no TypeScript,
# tsx or test tools), running as the non-root `node` user.

# Build stage: all dependencies, compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/dist.mjs ./scripts/
COPY src ./src
# Type check, then dist/ as `npm start` builds it (scripts/dist.mjs): the compiled code and the
# sandbox's page and personas beside it.
RUN npm run build

# Dependencies stage: production dependencies only, installed once, without npm's cache.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# Runtime stage. Code stays owned by root, so the bot cannot modify itself.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Liveness only (/healthz stays 200 while Redis is away; /readyz is for load balancers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form: node is PID 1's child under `init: true` (compose) and receives SIGTERM directly.
# The bot shuts down within 15 s; give it longer than that (compose: stop_grace_period).
# Node's flags as `npm start` gives them (package.json): a small young generation keeps idle
# memory down (BENCHMARKS.md, "Start-up"); the ack bench runs the app with it too.
CMD ["node", "--max-semi-space-size=4", "dist/main.js"]

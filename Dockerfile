# One image for the web app and every worker role (the command picks the role).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# patches/ fixes a known bug in a dependency (applied by postinstall)
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build && rm -rf .next/cache
# Runtime dependencies only (prune keeps the patched files, and runs no install script);
# tsx, which runs the TypeScript entry points (npm start, npm run worker), is one of them.
# --legacy-peer-deps: without it, a dev tool that is also an optional peer of a runtime
# package (vitest of better-auth, Playwright of Next.js, drizzle-kit) stays. Checked by
# tests/ops/image-dependencies.int.test.ts, which runs this line and the app on what it leaves.
RUN npm prune --omit=dev --legacy-peer-deps --no-audit --no-fund \
 && npm cache clean --force \
 && mv .next /next-build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The code stays root's (read-only to the app); only Next.js's build folder, where it keeps
# its cache, belongs to the user the processes run as.
COPY --from=build /app /app
COPY --from=build --chown=node:node /next-build /app/.next
USER node
EXPOSE 3000 9464
CMD ["npm", "run", "start", "--", "-p", "3000"]

# One image for the web app and every worker role (the command picks the role).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# patches/ fixes a known bug in a dependency (applied by postinstall)
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
EXPOSE 3000 9464
CMD ["npm", "run", "start", "--", "-p", "3000"]

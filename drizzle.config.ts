import { defineConfig } from "drizzle-kit";
import { getEnv } from "./lib/env";

// `npm run db:setup` applies migrations; this file serves drizzle-kit generate / studio.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: { url: getEnv().DATABASE_URL },
});

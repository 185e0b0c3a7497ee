import { defineConfig } from "drizzle-kit";

// drizzle-kit runs outside the app; the URL matters only for `drizzle-kit migrate/studio`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: {
    url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/analytics",
  },
});

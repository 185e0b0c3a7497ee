import { readFileSync } from "node:fs";
import path from "node:path";
import type { TestCredentials } from "../../tests/support/credentials";

const LOCAL = path.resolve(import.meta.dirname, "../../.local");
/** The signed-in admin's cookies, which every page test starts with. */
export const STORAGE_STATE_FILE = path.join(LOCAL, "e2e-auth-state.json");
/** The environment of the run's stack (its topic prefix, Redis keys …), for a role a spec starts. */
export const STACK_ENV_FILE = path.join(LOCAL, "e2e-stack-env.json");

export function stackEnv(): Record<string, string> {
  return JSON.parse(readFileSync(STACK_ENV_FILE, "utf8")) as Record<string, string>;
}

/** The run's ingest key and tokens (global-setup.ts writes them). */
export const CREDENTIALS_FILE = path.join(LOCAL, "e2e-credentials.json");

export function credentials(): TestCredentials {
  return JSON.parse(readFileSync(CREDENTIALS_FILE, "utf8")) as TestCredentials;
}

/** Headers for API calls from a spec: the ingest key, or a token of a role. */
export function auth(as: "ingest" | "admin" | "member" | "viewer" = "admin"): Record<string, string> {
  const { ingestKey, tokens } = credentials();
  return { Authorization: `Bearer ${as === "ingest" ? ingestKey : tokens[as]}` };
}

import { getEnv } from "../env";
import { logger } from "../logger";

/**
 * Stand-ins for a development machine only: they are public (they are in this file), so a
 * production process refuses to start without the real ones.
 */
const DEVELOPMENT_VALUES = {
  AUTH_SECRET: "pulse-development-auth-secret-not-for-production",
  SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
} as const;

export type SecretName = keyof typeof DEVELOPMENT_VALUES;

const warned = new Set<SecretName>();

/** The configured secret; outside production a public development value, with one warning. */
export function configuredSecret(name: SecretName): string {
  const env = getEnv();
  const value = env[name];
  if (value) return value;
  if (env.NODE_ENV === "production") {
    throw new Error(`${name} is not set: production needs it (npm run up makes one; see docs/security.md)`);
  }
  if (!warned.has(name)) {
    warned.add(name);
    logger.warn({ variable: name }, "development_secret_in_use");
  }
  return DEVELOPMENT_VALUES[name];
}

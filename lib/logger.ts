import pino, { type DestinationStream } from "pino";
import { getEnv } from "./env";

/** Field and header names whose values are credentials: never written to a log. */
const SECRET_KEYS = [
  "authorization",
  "Authorization",
  "proxy-authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "x-api-key",
  "password",
  "token",
  "secret",
  "api_key",
  "apiKey",
  "access_token",
  "refresh_token",
  "session_token",
  "webhook_secret",
  "webhookSecret",
];

// TRICKY: pino's wildcards match one level only, so each name is listed at the top, one and two
// levels down, and under `headers` at each of those (a request's headers, an error's `config.headers`).
const PARENTS = ["", "*", "*.*", "headers", "*.headers", "*.*.headers"];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const pathOf = (parent: string, key: string) =>
  IDENTIFIER.test(key) ? (parent === "" ? key : `${parent}.${key}`) : `${parent}["${key}"]`;

/** pino `redact` paths: every secret name at the top and up to two levels down, headers included. */
export const REDACT_PATHS: readonly string[] = PARENTS.flatMap((parent) =>
  SECRET_KEYS.map((key) => pathOf(parent, key)),
);

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

/** A logger writing to `destination` (stdout by default) with the process's settings. */
export function createLogger(destination?: DestinationStream, level: string = getEnv().LOG_LEVEL) {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    },
    destination,
  );
}

/** The process logger: JSON lines, snake_case event names as the message. */
export const logger = createLogger();

export type Logger = typeof logger;

/**
 * Which store a failure came from when it means "that store is unreachable right now" (a
 * request can succeed later), as opposed to a bug or bad input. Routes answer those with
 * 503 dependency_unavailable and Retry-After instead of 500.
 */
export type Dependency = "postgres" | "redis";

// postgres.js's own codes for a connection it lost or never had, and Node's socket errors
const POSTGRES_CONNECTION_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
  "ENOTFOUND",
]);
// SQLSTATE: 08 connection exceptions, 57P01-03 shutdown / cannot connect now, 53300 too many
// connections, 57014 statement timeout (the store did not answer in time)
const POSTGRES_UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300|57014)$/;
// ioredis reports an unreachable server by message only
const REDIS_UNAVAILABLE_MESSAGES = [
  "Connection is closed",
  "Command timed out",
  "Stream isn't writeable",
  "Reached the max retries per request limit",
];

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  // drizzle wraps a driver's error in DrizzleQueryError (its cause); a few levels suffice
  while (current !== undefined && current !== null && chain.length < 5) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function classifyOne(error: unknown): Dependency | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (name === "MaxRetriesPerRequestError" || REDIS_UNAVAILABLE_MESSAGES.some((m) => text.includes(m)))
    return "redis";
  if (typeof code !== "string") return undefined;
  // ioredis never hands a socket error to a command (it retries, then fails it as above):
  // a bare socket error comes from postgres.js
  const unavailable =
    POSTGRES_CONNECTION_CODES.has(code) || POSTGRES_UNAVAILABLE_STATES.test(code) || SOCKET_CODES.has(code);
  return unavailable ? "postgres" : undefined;
}

/** The store a failure says is unreachable, or undefined for any other failure. */
export function unavailableDependency(error: unknown): Dependency | undefined {
  for (const candidate of causes(error)) {
    const found = classifyOne(candidate);
    if (found) return found;
  }
  return undefined;
}

// a connection that was open and is gone (the server restarted, or ended it): another one may
// well work at once, unlike a server that refuses connections or does not answer
const DROPPED_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "ECONNRESET",
  "EPIPE",
  "57P01",
]);

/** A PostgreSQL connection the pool held was gone (not "the server is down"): worth one retry. */
export function isDroppedConnection(error: unknown): boolean {
  return causes(error).some((candidate) => {
    const code = (candidate as { code?: unknown } | null)?.code;
    return typeof code === "string" && DROPPED_CONNECTION_CODES.has(code);
  });
}

/** Raised when a request's stores did not answer within its deadline. */
export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer from the stores within ${deadlineMs} ms`);
    this.name = "DeadlineExceededError";
  }
}

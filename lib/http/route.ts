import { randomUUID } from "node:crypto";
import { getEnv } from "../env";
import { AppError, describeError } from "../errors";
import { logger } from "../logger";
import { DeadlineExceededError, unavailableDependency } from "./dependency-errors";
import { httpRequestSeconds } from "../metrics";
import { apiSecurityHeaders } from "../security/headers";

export const REQUEST_ID_HEADER = "x-request-id";
const SAFE_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The caller's X-Request-Id when it is sane, else a new one. */
export function getCorrelationId(request: Request): string {
  const supplied = request.headers.get(REQUEST_ID_HEADER);
  return supplied && SAFE_REQUEST_ID.test(supplied) ? supplied : randomUUID();
}

export interface RouteContext {
  correlationId: string;
}

type Handler<P> = (request: Request, context: RouteContext, params: P) => Promise<Response>;

export interface RouteOptions {
  /**
   * How long the handler may take to answer (its headers): QUERY_TIMEOUT_MS by default, so a
   * store that hangs gives a 503 instead of a request that never ends. `false` for a route
   * with a bound of its own (ingest waits for Kafka up to PRODUCE_TIMEOUT_MS).
   */
  deadlineMs?: number | false;
}

let routeHeaders: [string, string][] | undefined;

/**
 * The API answers' security headers (lib/security/headers.ts), set here rather than by
 * next.config.ts `headers()` for the routes built on withRoute: see next.config.ts.
 */
function routeSecurityHeaders(): [string, string][] {
  routeHeaders ??= apiSecurityHeaders({ development: process.env.NODE_ENV === "development" }).map(
    ({ key, value }) => [key, value],
  );
  return routeHeaders;
}

/** Seconds a client should wait before retrying a request that met an unavailable store. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

function withDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(deadlineMs)), deadlineMs);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * Wraps a route handler: correlation id in and out, a deadline, every error mapped through
 * the one code table, every 5xx logged with the correlation id, nothing internal sent to
 * clients, and the security headers on every answer.
 */
export function withRoute<P = unknown>(name: string, handler: Handler<P>, options: RouteOptions = {}) {
  return async (request: Request, segment?: { params: Promise<P> }): Promise<Response> => {
    const started = performance.now();
    const correlationId = getCorrelationId(request);
    const deadlineMs = options.deadlineMs ?? getEnv().QUERY_TIMEOUT_MS;
    let response: Response;
    try {
      const params = segment === undefined ? ({} as P) : await segment.params;
      const answered = handler(request, { correlationId }, params);
      response = deadlineMs === false ? await answered : await withDeadline(answered, deadlineMs);
    } catch (error) {
      const mapped = describeError(toAppError(error), correlationId);
      if (mapped.status >= 500) {
        logger.error({ err: error, correlation_id: correlationId, route: name }, "request_failed");
      }
      response = Response.json(mapped.body, { status: mapped.status, headers: mapped.headers });
    }
    response.headers.set(REQUEST_ID_HEADER, correlationId);
    for (const [name, value] of routeSecurityHeaders())
      if (!response.headers.has(name)) response.headers.set(name, value);
    // a streaming response (SSE) is timed until its headers, not until the client leaves
    httpRequestSeconds.observe(
      { route: name, method: request.method, status: String(response.status) },
      (performance.now() - started) / 1000,
    );
    return response;
  };
}

function toAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof DeadlineExceededError) {
    return new AppError(
      "dependency_unavailable",
      `The data stores did not answer within ${error.deadlineMs} ms`,
      {
        retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
        cause: error,
      },
    );
  }
  const dependency = unavailableDependency(error);
  if (dependency !== undefined) {
    const store = dependency === "postgres" ? "PostgreSQL" : "Redis";
    return new AppError("dependency_unavailable", `${store} is unavailable; retry shortly`, {
      retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  // A ZodError is not mapped here: input is parsed (with its code) in defineRoute, so one that
  // arrives here is a bug, a 500 like any other.
  return error;
}

/** A JSON response that no cache keeps. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

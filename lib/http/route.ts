import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError, describeError } from "../errors";
import { logger } from "../logger";
import { httpRequestSeconds } from "../metrics";

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

/**
 * Wraps a route handler: correlation id in and out, every error mapped through the one
 * code table, every 5xx logged with the correlation id, nothing internal sent to clients.
 */
export function withRoute<P = unknown>(name: string, handler: Handler<P>) {
  return async (request: Request, segment?: { params: Promise<P> }): Promise<Response> => {
    const started = performance.now();
    const correlationId = getCorrelationId(request);
    let response: Response;
    try {
      const params = segment === undefined ? ({} as P) : await segment.params;
      response = await handler(request, { correlationId }, params);
    } catch (error) {
      const mapped = describeError(toAppError(error), correlationId);
      if (mapped.status >= 500) {
        logger.error({ err: error, correlation_id: correlationId, route: name }, "request_failed");
      }
      response = Response.json(mapped.body, { status: mapped.status, headers: mapped.headers });
    }
    response.headers.set(REQUEST_ID_HEADER, correlationId);
    // a streaming response (SSE) is timed until its headers, not until the client leaves
    httpRequestSeconds.observe(
      { route: name, method: request.method, status: String(response.status) },
      (performance.now() - started) / 1000,
    );
    return response;
  };
}

function toAppError(error: unknown): unknown {
  if (error instanceof ZodError) {
    return new AppError("invalid_query", "Invalid request parameters", {
      details: error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  return error;
}

/** A JSON response that no cache keeps. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

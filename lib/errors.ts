/**
 * The closed set of error codes the API answers with, and their HTTP statuses.
 * Route handlers map every failure through `withRoute` (lib/http/route.ts), so this is the one place
 * where codes meet statuses.
 */
export const errorStatus = {
  invalid_json: 400,
  validation_failed: 400,
  invalid_query: 400,
  /** No credentials, or ones that are unknown, revoked or expired. */
  unauthorized: 401,
  /** Valid credentials whose role or kind may not do this. */
  forbidden: 403,
  /** A cookie-authenticated change whose Origin is not this site's. */
  cross_site_request: 403,
  not_found: 404,
  payload_too_large: 413,
  too_many_events: 413,
  unsupported_media_type: 415,
  conflict: 409,
  rate_limited: 429,
  /** This process, or this client address, already holds as many live streams as allowed. */
  too_many_streams: 429,
  broker_unavailable: 503,
  dependency_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  index?: number;
  path: string;
  message: string;
}

/**
 * A zod error as one detail per issue; an issue about the whole input (an unknown key of a
 * strict object, a body that is not an object) is reported at `root`, e.g. "(body)".
 */
export function zodErrorDetails(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  root: string,
): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || root,
    message: issue.message,
  }));
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  readonly retryAfterSeconds: number | undefined;
  readonly extra: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: ErrorDetail[];
      retryAfterSeconds?: number;
      cause?: unknown;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extra = options.extra ?? {};
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; correlation_id?: string };
  [key: string]: unknown;
}

/** Body and headers for an error; internal errors never leak their message. */
export function describeError(
  error: unknown,
  correlationId: string,
): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const appError = error instanceof AppError ? error : new AppError("internal", "Internal server error");
  const headers: Record<string, string> = {};
  if (appError.retryAfterSeconds !== undefined) {
    headers["Retry-After"] = String(appError.retryAfterSeconds);
  }
  const body: ErrorBody = {
    ...appError.extra,
    error: {
      code: appError.code,
      message: appError.message,
      ...(appError.details.length > 0 ? { details: appError.details } : {}),
      correlation_id: correlationId,
    },
  };
  return { status: appError.status, body, headers };
}

import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors";

export type MetricsAccess = "allowed" | "unauthorized" | "disabled";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Whether a request may read /metrics on the web port: only with `Authorization: Bearer <token>`
 * when METRICS_TOKEN is set ("unauthorized" otherwise); never when it is not ("disabled": the
 * internal METRICS_PORT listener serves metrics then).
 */
export function metricsAccess(authorization: string | null, token: string | undefined): MetricsAccess {
  if (token === undefined || token === "") return "disabled";
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  if (!match?.[1]) return "unauthorized";
  // Digests first: equal lengths for timingSafeEqual, and no early exit on the token's length.
  return timingSafeEqual(digest(match[1]), digest(token)) ? "allowed" : "unauthorized";
}

/**
 * Throws the answer for a request that may not read the web port's /metrics: 404 when the web
 * port does not serve metrics (no METRICS_TOKEN), 401 without the right bearer token.
 */
export function assertMetricsAccess(request: Request, token: string | undefined): void {
  const access = metricsAccess(request.headers.get("authorization"), token);
  if (access === "disabled") throw new AppError("not_found", "Not found");
  if (access === "unauthorized") {
    throw new AppError("unauthorized", "Metrics need Authorization: Bearer <METRICS_TOKEN>");
  }
}

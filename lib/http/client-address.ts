import { getEnv } from "../env";

/**
 * The client's network address, for per-client limits. The web server (web/server.ts) sets
 * X-Forwarded-For to the connection's peer address, replacing whatever the client sent;
 * behind a proxy (TRUST_PROXY=true) it keeps the proxy's header, whose first entry is the client.
 */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for") ?? "";
  const first = (getEnv().TRUST_PROXY ? forwarded.split(",")[0] : forwarded)?.trim();
  return first || "unknown";
}

/** The origins this site answers as: the configured public URL and the host the request was addressed to. */
export function ownOrigins(request: Request): Set<string> {
  const origins = new Set<string>([new URL(getEnv().PUBLIC_BASE_URL).origin]);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const proto = request.headers.get("x-forwarded-proto") ?? new URL(request.url).protocol.replace(":", "");
  if (host) origins.add(`${proto}://${host}`);
  origins.add(new URL(request.url).origin);
  return origins;
}

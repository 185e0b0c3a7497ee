import { listEvents } from "@/db/queries/events";
import { originMaySendEvents } from "@/lib/auth/authorize";
import { projectOf } from "@/lib/auth/principal";
import { ownOrigins } from "@/lib/http/client-address";
import { AppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import { readLimitedText } from "@/lib/http/body";
import * as events from "@/lib/http/contracts/events";
import { defineRoute } from "@/lib/http/define-route";
import { jsonResponse } from "@/lib/http/route";
import { ingestRequestSeconds, ingestRequestsTotal } from "@/lib/metrics";
import { ingestEvents } from "@/lib/services/events/ingest";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The contract documents the body; the handler reads it itself, with its own size limit and parser.
/** CORS answers for a page's Origin: what a preflight and an accepted POST carry. */
function corsHeaders(origin: string): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Authorization, X-API-Key, Content-Type, X-Request-Id",
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}

export const OPTIONS = defineRoute(events.ingestPreflight, async ({ request }) => {
  const origin = request.headers.get("origin");
  const allowed = origin !== null && (await originMaySendEvents(origin));
  return new Response(null, { status: 204, headers: allowed ? corsHeaders(origin) : { Vary: "Origin" } });
});

export const POST = defineRoute(events.ingestEvents, async ({ request, correlationId, principal }) => {
  // A page of another site may send only with a key of a project that lists its origin;
  // servers send no Origin, and the dashboard's own pages are this site.
  const origin = request.headers.get("origin");
  let cors: Record<string, string> = {};
  if (origin !== null && !ownOrigins(request).has(origin)) {
    if (principal.kind !== "ingest" || !principal.allowedOrigins.includes(origin)) {
      throw new AppError(
        "cross_site_request",
        `Pages of ${origin} may not send events with this key (its project lists its allowed origins: npm run keys -- origins)`,
      );
    }
    cors = corsHeaders(origin);
  }
  const stopTimer = ingestRequestSeconds.startTimer();
  try {
    const body = await readLimitedText(request, getEnv().INGEST_MAX_BODY_BYTES);
    const result = await ingestEvents({
      body,
      contentType: request.headers.get("content-type"),
      receivedAt: Date.now(),
      correlationId,
      userAgent: request.headers.get("user-agent") ?? undefined,
      projectId: projectOf(principal),
    });
    ingestRequestsTotal.inc({ status: "202" });
    // no-transform: the server does not gzip the ids of a 202 (~4 KB at 100 events), which
    // cost ~3 % of the route's CPU for a few KB saved, usually on a local network
    return jsonResponse(result, 202, { "Cache-Control": "no-store, no-transform", ...cors });
  } catch (error) {
    ingestRequestsTotal.inc({
      status: error instanceof Error && "status" in error ? String(error.status) : "500",
    });
    throw error;
  } finally {
    stopTimer();
  }
});

export const GET = defineRoute(events.listEvents, async ({ query, principal }) =>
  listEvents(projectOf(principal), query),
);

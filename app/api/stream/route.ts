import { projectOf } from "@/lib/auth/principal";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";
import * as system from "@/lib/http/contracts/system";
import { defineRoute } from "@/lib/http/define-route";
import { logger } from "@/lib/logger";
import { SNAPSHOT_SECONDS } from "@/lib/realtime/live-protocol";
import { liveClientsConnected, liveStreamsRefusedTotal } from "@/lib/realtime/live-metrics";
import { getLiveHub, liveClientCount, liveStreamRefusal } from "@/lib/realtime/live-subscriber";
import { openLiveStream } from "@/lib/realtime/open-live-stream";
import { readSnapshotCells } from "@/lib/realtime/read-snapshot";
import { getWebRedis } from "@/lib/realtime/redis-client";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Frames a client may have waiting before it counts as too slow and is closed. */
const MAX_QUEUED_FRAMES = 512;
const RETRY_MS = 2000;
/** Retry-After of a refused stream: a full process frees places as viewers leave. */
const REFUSED_RETRY_AFTER_SECONDS = { process: 5, client: 30 } as const;

/**
 * GET /api/stream: Server-Sent Events of the live channel (counts, closed windows,
 * anomalies, alert changes). See docs/dashboard.md for the protocol.
 */
export const GET = defineRoute(
  system.openLiveStream,
  async ({ request, query, correlationId, principal }) => {
    const env = getEnv();
    const projectId = projectOf(principal);
    const hub = getLiveHub(projectId);
    const address = clientAddress(request);
    // TRICKY: checked in the same tick as openLiveStream's connect, so the last place goes once.
    const refused = liveStreamRefusal(address, {
      maxConnections: env.LIVE_MAX_CONNECTIONS,
      maxPerClient: env.LIVE_MAX_CONNECTIONS_PER_CLIENT,
    });
    if (refused !== undefined) {
      liveStreamsRefusedTotal.inc({ limit: refused });
      throw new AppError(
        "too_many_streams",
        refused === "process"
          ? "This server holds as many live streams as it allows; retry shortly"
          : "Too many live streams from your address; close one (a tab) first",
        { retryAfterSeconds: REFUSED_RETRY_AFTER_SECONDS[refused] },
      );
    }
    const lastEventId = request.headers.get("last-event-id") ?? query.last_event_id ?? null;
    const { client } = openLiveStream({
      hub,
      lastEventId,
      clientAddress: address,
      signal: request.signal,
      readSnapshot: () => readSnapshotCells(getWebRedis(), projectId, SNAPSHOT_SECONDS),
      maxQueue: MAX_QUEUED_FRAMES,
      retryMs: RETRY_MS,
      onSnapshotError: (error) =>
        logger.warn({ err: error, correlation_id: correlationId }, "live_snapshot_failed"),
    });
    liveClientsConnected.set(liveClientCount());
    return new Response(client.stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        // no-transform: Next's compression (and proxies) must not gzip, hence buffer, the stream.
        "Cache-Control": "no-cache, no-transform",
        "X-Accel-Buffering": "no",
        Connection: "keep-alive",
      },
    });
  },
);

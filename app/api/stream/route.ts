import { withRoute } from "@/lib/http/route";
import { logger } from "@/lib/logger";
import { SNAPSHOT_SECONDS } from "@/lib/realtime/live-protocol";
import { liveClientsConnected } from "@/lib/realtime/live-metrics";
import { getLiveHub } from "@/lib/realtime/live-subscriber";
import { openLiveStream } from "@/lib/realtime/open-live-stream";
import { readSnapshotCells } from "@/lib/realtime/read-snapshot";
import { getWebRedis } from "@/lib/realtime/redis-client";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Frames a client may have waiting before it counts as too slow and is closed. */
const MAX_QUEUED_FRAMES = 512;
const RETRY_MS = 2000;

/**
 * GET /api/stream: Server-Sent Events of the live channel (counts, closed windows,
 * anomalies, alert changes). See docs/dashboard.md for the protocol.
 */
export const GET = withRoute("stream", async (request, { correlationId }) => {
  const hub = getLiveHub();
  const lastEventId =
    request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("last_event_id");
  const { client } = openLiveStream({
    hub,
    lastEventId,
    signal: request.signal,
    readSnapshot: () => readSnapshotCells(getWebRedis(), SNAPSHOT_SECONDS),
    maxQueue: MAX_QUEUED_FRAMES,
    retryMs: RETRY_MS,
    onSnapshotError: (error) =>
      logger.warn({ err: error, correlation_id: correlationId }, "live_snapshot_failed"),
  });
  liveClientsConnected.set(hub.clientCount);
  return new Response(client.stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: Next's compression (and proxies) must not gzip, hence buffer, the stream.
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    },
  });
});

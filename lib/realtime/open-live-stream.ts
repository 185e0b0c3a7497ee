/**
 * One SSE response body: connects a client to the hub, resumes it from `Last-Event-ID`
 * or starts it with a snapshot, and cleans up on every way a client can go.
 */
import type { LiveHub } from "./live-hub";
import type { LiveSnapshotMessage } from "./live-protocol";
import { createSseClient, type SseClient } from "./sse-client";
import { formatSseComment, formatSseEvent, formatSseRetry } from "./sse-format";

export interface OpenLiveStreamOptions {
  hub: LiveHub;
  lastEventId: string | null | undefined;
  /** The client's address, counted against the hub's per-client cap. */
  clientAddress?: string;
  /** Aborted when the request goes away. */
  signal: AbortSignal;
  readSnapshot: () => Promise<LiveSnapshotMessage["realtime"]>;
  maxQueue: number;
  retryMs: number;
  /** Failures reading the snapshot (the stream carries on without one). */
  onSnapshotError?: (error: unknown) => void;
}

export function openLiveStream(options: OpenLiveStreamOptions): { client: SseClient; resumed: boolean } {
  const { hub, signal } = options;
  const client = createSseClient({
    maxQueue: options.maxQueue,
    onClose: (closing, reason) => {
      signal.removeEventListener("abort", onAbort);
      hub.clientClosed(closing, reason);
    },
  });
  const onAbort = () => client.close("client_gone");

  // Greeting first: headers flush at once and EventSource learns the retry delay.
  client.send(formatSseRetry(options.retryMs) + formatSseComment("connected"));
  if (signal.aborted) {
    client.close("client_gone");
    return { client, resumed: false };
  }
  signal.addEventListener("abort", onAbort, { once: true });

  // Held until the snapshot is queued: messages that arrive meanwhile follow it, in order.
  const snapshotId = hub.lastEventId;
  client.hold();
  const { resumed } = hub.connect(client, options.lastEventId, options.clientAddress);
  if (resumed) {
    client.release();
    return { client, resumed };
  }
  void (async () => {
    let realtime: LiveSnapshotMessage["realtime"] = null;
    try {
      realtime = await options.readSnapshot();
    } catch (error) {
      options.onSnapshotError?.(error);
    }
    if (client.closed) return;
    const message: LiveSnapshotMessage = { kind: "snapshot", server_id: hub.serverId, realtime };
    // TRICKY: the snapshot carries the id of the last message before it, so a client that
    // reconnects right after it resumes with the messages that were held behind it.
    client.release(formatSseEvent({ id: snapshotId, event: "snapshot", data: JSON.stringify(message) }));
  })();
  return { client, resumed };
}

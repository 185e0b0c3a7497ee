/**
 * The wire contract of GET /api/stream, shared by the server and the dashboard (types and
 * pure helpers only: safe to import from client components).
 *
 * Every message on the Redis live channel is a JSON object with a string `kind`; it is sent
 * to SSE clients as an event named after its kind, with the JSON unchanged as data. Kinds
 * this file does not know are passed through the same way.
 */
import type { ClosedWindow } from "../events/closed-window";
import type { RealtimeSnapshot } from "./read-counters";

/**
 * Per-second counts (type, region, epoch second of the event time, count) of the events a
 * web process had acknowledged by Kafka: one request's, or those of up to 20 ms added up
 * (LiveCountsOutbox). They add to what a client holds.
 */
export interface LiveCountsMessage {
  kind: "counts";
  counts: { t: string; r: string; s: number; n: number }[];
}

export interface LiveWindowMessage {
  kind: "window";
  window: ClosedWindow;
}

/** Sent by the stream itself when it may have missed messages (Redis reconnected): resync. */
export interface LiveResyncMessage {
  kind: "resync";
  reason: string;
}

/** Per-second counts of one type and region, for a client to rebuild any roll-up. */
export type SnapshotCell = [second: number, eventType: string, region: string, count: number];

/**
 * First event of a stream that could not resume from `Last-Event-ID`: the state to start
 * from. `realtime` is null when Redis could not be read (live counts still follow).
 */
export interface LiveSnapshotMessage {
  kind: "snapshot";
  server_id: string;
  realtime: (RealtimeSnapshot & { cells: SnapshotCell[] }) | null;
}

export type KnownLiveMessage =
  LiveCountsMessage | LiveWindowMessage | LiveResyncMessage | LiveSnapshotMessage;

/** SSE event names are kinds matching this; anything else is not forwarded. */
export const LIVE_KIND_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/** The seconds of history the snapshot covers (the overview's chart range). */
export const SNAPSHOT_SECONDS = 300;

/** Event ids are `<server id>-<sequence>`: monotonic within one server process. */
export function formatEventId(serverId: string, sequence: number): string {
  return `${serverId}-${sequence}`;
}

export function parseEventId(
  id: string | null | undefined,
): { serverId: string; sequence: number } | undefined {
  if (!id) return undefined;
  const dash = id.lastIndexOf("-");
  if (dash <= 0) return undefined;
  const sequence = Number(id.slice(dash + 1));
  if (!Number.isSafeInteger(sequence) || sequence < 0) return undefined;
  return { serverId: id.slice(0, dash), sequence };
}

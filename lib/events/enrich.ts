import { randomFillSync } from "node:crypto";
import { V7Generator } from "uuidv7";
import type { EnrichedEvent, EventInput, WireEvent } from "./schema";
import { uuidV7BytesTime } from "./event-id";
import { EVENT_FIELD_LIST } from "./fields";
import type { ValidEvent } from "./validate";

export interface RequestContext {
  receivedAt: number;
  correlationId: string;
  userAgent: string | undefined;
  /** The sending key's project. */
  projectId: string;
}

// The package refills 8 random words per crypto call; a request of 500 events would make
// ~150 calls. One call per 1,024 words; same source (the OS's CSPRNG), same ids.
const randomWords = new Uint32Array(1024);
let randomCursor = randomWords.length;
const ids = new V7Generator({
  nextUint32: () => {
    if (randomCursor >= randomWords.length) {
      randomFillSync(randomWords);
      randomCursor = 0;
    }
    return randomWords[randomCursor++] ?? 0;
  },
});

/** Client fields the server forwards unchanged: all but the id and time it may fill in. */
const FORWARDED_FIELDS = EVENT_FIELD_LIST.filter(
  (field) => field.input !== undefined && field.name !== "event_id" && field.name !== "timestamp",
).map((field) => field.name);

// "0f" for 15: a 16-byte id becomes text with 16 lookups instead of 32 digit appends
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

const hex = (bytes: Uint8Array, i: number) => HEX[bytes[i] ?? 0] ?? "00";

/**
 * A new UUIDv7 in its canonical 8-4-4-4-12 form, stamped with `receivedAt`, and the time it
 * carries: `receivedAt`, or a millisecond or so later when another request's ids of a later
 * millisecond came first (ids stay monotonic). That time is the event's (see event-id.ts).
 */
function newEventId(receivedAt: number): { id: string; time: number } {
  const b = ids.generateOrResetWithTs(receivedAt).bytes;
  return { id: newEventIdText(b), time: uuidV7BytesTime(b) };
}

function newEventIdText(b: Uint8Array): string {
  return `${hex(b, 0)}${hex(b, 1)}${hex(b, 2)}${hex(b, 3)}-${hex(b, 4)}${hex(b, 5)}-${hex(b, 6)}${hex(b, 7)}-${hex(b, 8)}${hex(b, 9)}-${hex(b, 10)}${hex(b, 11)}${hex(b, 12)}${hex(b, 13)}${hex(b, 14)}${hex(b, 15)}`;
}

/** Where a request came from, as its events carry it: one object, shared by them all. */
export function sourceOf(context: RequestContext): EnrichedEvent["source"] {
  return context.userAgent
    ? { user_agent: context.userAgent.slice(0, 256), api_version: 1 }
    : { api_version: 1 };
}

/**
 * The event as the processor reads it (`EnrichedEvent`): what the server adds (id, receive
 * time, correlation id, source; no client IP) spelled out. The route sends the compact
 * `toWireEvent` form, which unpacks to exactly this; tests and benchmarks build events here.
 */
export function enrichEvent(valid: ValidEvent, context: RequestContext): EnrichedEvent {
  const { input } = valid;
  const generated = input.event_id === undefined ? newEventId(context.receivedAt) : undefined;
  const event: EnrichedEvent = {
    event_id: input.event_id ?? generated?.id ?? "",
    event_type: input.event_type,
    timestamp: valid.timestamp ?? valid.idTime ?? generated?.time ?? context.receivedAt,
    received_at: context.receivedAt,
    correlation_id: context.correlationId,
    project_id: context.projectId,
    id_supplied: input.event_id !== undefined,
    timestamp_supplied: valid.timestamp !== undefined,
    source: sourceOf(context),
  };
  // the client's other fields as sent (the field table lists them)
  const target = event as Record<string, unknown>;
  const source = input as Record<string, unknown>;
  for (const name of FORWARDED_FIELDS) if (source[name] !== undefined) target[name] = source[name];
  return event;
}

/**
 * A validated event turned into its record form in place (the ingest route's path: its
 * parsed JSON is not needed afterwards): an id when it has none, its time as epoch
 * milliseconds (left out when it is the receive time), and flags for what the client
 * chose. Unpacked, it equals `enrichEvent`'s event.
 */
export function toWireEvent(valid: ValidEvent, receivedAt: number): WireEvent {
  const event = valid.input as Omit<EventInput, "timestamp"> & Omit<WireEvent, "event_id">;
  if (valid.timestamp !== undefined) {
    event.timestamp = valid.timestamp;
    event.timestamp_supplied = true;
  } else if (valid.idTime !== undefined && valid.idTime !== receivedAt) {
    event.timestamp = valid.idTime;
  }
  if (event.event_id === undefined) {
    const generated = newEventId(receivedAt);
    event.event_id = generated.id;
    if (generated.time !== receivedAt && valid.timestamp === undefined) event.timestamp = generated.time;
  } else event.id_supplied = true;
  return event as WireEvent;
}

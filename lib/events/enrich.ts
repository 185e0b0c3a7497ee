import { randomFillSync } from "node:crypto";
import { V7Generator } from "uuidv7";
import type { EnrichedEvent, EventInput, WireEvent } from "./schema";
import type { ValidEvent } from "./validate";

export interface RequestContext {
  receivedAt: number;
  correlationId: string;
  userAgent: string | undefined;
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

// "0f" for 15: a 16-byte id becomes text with 16 lookups instead of 32 digit appends
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

const hex = (bytes: Uint8Array, i: number) => HEX[bytes[i] ?? 0] ?? "00";

/** A new UUIDv7 in its canonical 8-4-4-4-12 form. */
function newEventId(): string {
  const b = ids.generate().bytes;
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
  const event: EnrichedEvent = {
    event_id: input.event_id ?? newEventId(),
    event_type: input.event_type,
    timestamp: valid.timestamp ?? context.receivedAt,
    received_at: context.receivedAt,
    correlation_id: context.correlationId,
    id_supplied: input.event_id !== undefined,
    timestamp_supplied: valid.timestamp !== undefined,
    source: sourceOf(context),
  };
  if (input.user_id !== undefined) event.user_id = input.user_id;
  if (input.session_id !== undefined) event.session_id = input.session_id;
  if (input.region !== undefined) event.region = input.region;
  if (input.value !== undefined) event.value = input.value;
  if (input.properties !== undefined) event.properties = input.properties;
  return event;
}

/**
 * A validated event turned into its record form in place (the ingest route's path: its
 * parsed JSON is not needed afterwards): an id when it has none, its time as epoch
 * milliseconds, and flags for what the client chose. Unpacked, it equals `enrichEvent`'s
 * event.
 */
export function toWireEvent(valid: ValidEvent): WireEvent {
  const event = valid.input as Omit<EventInput, "timestamp"> & Omit<WireEvent, "event_id">;
  if (valid.timestamp !== undefined) {
    event.timestamp = valid.timestamp;
    event.timestamp_supplied = true;
  }
  if (event.event_id === undefined) event.event_id = newEventId();
  else event.id_supplied = true;
  return event as WireEvent;
}

import { describe, expect, it } from "vitest";
import { unpackRecord } from "../kafka/records";
import { enrichEvent, toWireEvent } from "./enrich";
import { uuidV7Time } from "./event-id";
import type { EnrichedEvent } from "./schema";
import { validateEvent, type ValidationLimits } from "./validate";

const limitsAt = (now: number): ValidationLimits => ({
  now,
  maxFutureMs: 5 * 60_000,
  retentionMs: 30 * 86_400_000,
  maxPropertiesBytes: 32 * 1024,
});

function validOrThrow(raw: unknown, now: number) {
  const result = validateEvent(raw, 0, limitsAt(now));
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.event;
}

/** What the processor reads of an event the route accepted at `receivedAt`. */
function acceptedAt(raw: Record<string, unknown>, receivedAt: number): EnrichedEvent {
  const wire = toWireEvent(validOrThrow(structuredClone(raw), receivedAt), receivedAt);
  const headers = {
    "x-received-at": String(receivedAt),
    "x-correlation-id": "c",
    "x-source": '{"api_version":1}',
  };
  const [event] = unpackRecord(JSON.stringify([wire]), headers) as EnrichedEvent[];
  if (!event) throw new Error("no event unpacked");
  return event;
}

describe("a retried event has the original's id and time, whenever the retry arrives", () => {
  const first = 1_764_547_200_000;

  it("a server-made id carries the event's time, so a retry that resends only the id gets the same key", () => {
    const original = acceptedAt({ event_type: "click", user_id: "u1" }, first);
    expect(uuidV7Time(original.event_id)).toBe(original.timestamp);
    // the 503 body's id resent 40 s later, without a timestamp
    const retry = acceptedAt(
      { event_type: "click", user_id: "u1", event_id: original.event_id },
      first + 40_000,
    );
    expect(retry.event_id).toBe(original.event_id);
    expect(retry.timestamp).toBe(original.timestamp);
    expect(retry).toMatchObject({
      id_supplied: true,
      timestamp_supplied: false,
      received_at: first + 40_000,
    });
  });

  it("holds for enrichEvent's form too, and for ids made while a later request's ids came first", () => {
    const later = enrichEvent(
      { input: { event_type: "click" }, timestamp: undefined },
      { receivedAt: first + 5, correlationId: "c", userAgent: undefined, projectId: "default" },
    );
    const earlier = enrichEvent(
      { input: { event_type: "click" }, timestamp: undefined },
      { receivedAt: first, correlationId: "c", userAgent: undefined, projectId: "default" },
    );
    for (const event of [later, earlier]) expect(uuidV7Time(event.event_id)).toBe(event.timestamp);
    // ids stay monotonic: the earlier request's id took the later millisecond, and its time with it
    expect(earlier.timestamp).toBe(first + 5);
  });

  it("a client's own UUIDv7 gives the time; other ids, or a UUIDv7 out of range, take the receive time", () => {
    const ownId = "019ad735-8400-7abc-8def-0123456789ab";
    expect(acceptedAt({ event_type: "click", event_id: ownId }, first).timestamp).toBe(uuidV7Time(ownId));
    expect(acceptedAt({ event_type: "click", event_id: "order-4711" }, first).timestamp).toBe(first);
    const ancient = "00000000-0001-7abc-8def-0123456789ab";
    expect(acceptedAt({ event_type: "click", event_id: ancient }, first).timestamp).toBe(first);
    // a supplied timestamp always wins
    expect(acceptedAt({ event_type: "click", event_id: ownId, timestamp: first - 1 }, first).timestamp).toBe(
      first - 1,
    );
  });
});

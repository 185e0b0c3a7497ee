import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { enrichEvent } from "../events/enrich";
import type { EnrichedEvent } from "../events/schema";
import { MAX_RECORD_BYTES, packEvents, partitionForKey } from "./records";

function event(userId: string, extra: Record<string, unknown> = {}): EnrichedEvent {
  return enrichEvent(
    { input: { event_type: "click", user_id: userId, properties: extra }, timestamp: 1_700_000_000_000 },
    { receivedAt: 1_700_000_000_000, correlationId: "req-1", userAgent: undefined },
  );
}

const unpack = (value: string) => JSON.parse(value) as EnrichedEvent[];

describe("partitionForKey", () => {
  it("is Kafka's murmur2 partitioning: stable and within range", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 64 }), (key, count) => {
        const partition = partitionForKey("t", key, count);
        expect(partition).toBeGreaterThanOrEqual(0);
        expect(partition).toBeLessThan(count);
        expect(partitionForKey("other-topic", key, count)).toBe(partition);
      }),
    );
  });
});

describe("packEvents", () => {
  it("puts every event exactly once into the record of its key's partition, in order", () => {
    const events = Array.from({ length: 200 }, (_, i) => event(`user-${i % 37}`));
    const records = packEvents(
      events,
      () => "events.click",
      () => 6,
      "req-1",
    );
    expect(records.length).toBeLessThanOrEqual(6);
    const seen: string[] = [];
    for (const record of records) {
      for (const packed of unpack(record.value)) {
        expect(partitionForKey("events.click", packed.user_id ?? "", 6)).toBe(record.partition);
        seen.push(packed.event_id);
      }
      expect(record.headers["x-correlation-id"]).toBe("req-1");
      expect(Number(record.headers["x-event-count"])).toBe(unpack(record.value).length);
    }
    expect(seen.sort()).toEqual(events.map((e) => e.event_id).sort());
    // a user's events keep their order inside its record
    const user = events.filter((e) => e.user_id === "user-5").map((e) => e.event_id);
    const record = records.find((r) => unpack(r.value).some((e) => e.user_id === "user-5"));
    expect(
      unpack(record?.value ?? "[]")
        .filter((e) => e.user_id === "user-5")
        .map((e) => e.event_id),
    ).toEqual(user);
  });

  it("keeps topics apart and splits records before the size limit", () => {
    const big = "x".repeat(40_000);
    const events = Array.from({ length: 30 }, (_, i) => event("same-user", { i, big }));
    const records = packEvents(
      events,
      (e) => (Number(e.properties?.i) % 2 ? "a" : "b"),
      () => 6,
      "r",
    );
    expect(new Set(records.map((r) => r.topic))).toEqual(new Set(["a", "b"]));
    for (const record of records) expect(record.value.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(records.flatMap((r) => unpack(r.value)).length).toBe(30);
  });

  it("falls back to a record per key when the partition count is unknown", () => {
    const records = packEvents(
      [event("a"), event("b"), event("a")],
      () => "t",
      () => undefined,
      "r",
    );
    expect(records.map((r) => [r.key, r.partition, unpack(r.value).length])).toEqual([
      ["a", undefined, 2],
      ["b", undefined, 1],
    ]);
  });
});

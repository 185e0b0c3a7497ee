import fc from "fast-check";
import { Partitioners } from "kafkajs";
import { describe, expect, it } from "vitest";
import { enrichEvent, toWireEvent } from "../events/enrich";
import type { EnrichedEvent, EventInput, WireEvent } from "../events/schema";
import type { OutgoingMessage } from "./batcher";
import { murmur2Partition } from "./murmur2";
import { MAX_RECORD_BYTES, packEvents, unpackRecord, type RecordContext } from "./records";

const AT = 1_700_000_000_000;
const request: RecordContext = {
  correlationId: "req-1",
  receivedAt: AT,
  source: { api_version: 1 },
  projectId: "default",
};

function event(userId: string, extra: Record<string, unknown> = {}): WireEvent {
  return toWireEvent(
    { input: { event_type: "click", user_id: userId, properties: extra }, timestamp: AT },
    AT,
  );
}

const unpack = (record: OutgoingMessage) => unpackRecord(record.value, record.headers) as EnrichedEvent[];

describe("murmur2Partition", () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  const metadata = (count: number) =>
    Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0 })) as never;

  it("gives every key the partition kafkajs's (Java-compatible) default partitioner gives it", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: "grapheme", minLength: 1 }), fc.uuid()),
        fc.integer({ min: 1, max: 128 }),
        (key, count) => {
          const expected = kafkajs({
            topic: "t",
            partitionMetadata: metadata(count),
            message: { key, value: null },
          });
          expect(murmur2Partition(key, count)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("gives the partitions Kafka's Java client computes (Utils.toPositive(Utils.murmur2(utf8)) % n)", () => {
    // printed by kafka-clients 4.4.0 for these keys with n = 6 and n = 100
    const java: [string, number, number][] = [
      ["user-1", 2, 28],
      ["a", 4, 24],
      ["ab", 2, 34],
      ["abc", 3, 7],
      ["abcd", 2, 0],
      ["abcde", 1, 41],
      ["ünïcødé-🚀", 4, 38],
      ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", 1, 67],
    ];
    for (const [key, of6, of100] of java) {
      expect(murmur2Partition(key, 6)).toBe(of6);
      expect(murmur2Partition(key, 100)).toBe(of100);
    }
  });

  it("handles a key longer than its scratch buffer", () => {
    const long = "ü".repeat(5000);
    const expected = kafkajs({
      topic: "t",
      partitionMetadata: metadata(7),
      message: { key: long, value: null },
    });
    expect(murmur2Partition(long, 7)).toBe(expected);
  });
});

describe("packEvents", () => {
  it("puts every event exactly once into the record of its key's partition, in order", () => {
    const events = Array.from({ length: 200 }, (_, i) => event(`user-${i % 37}`));
    const records = packEvents(
      events,
      () => "events.click",
      () => 6,
      request,
    );
    expect(records.length).toBeLessThanOrEqual(6);
    const seen: string[] = [];
    for (const record of records) {
      for (const packed of unpack(record)) {
        expect(murmur2Partition(packed.user_id ?? "", 6)).toBe(record.partition);
        seen.push(packed.event_id);
      }
      expect(record.headers["x-correlation-id"]).toBe("req-1");
      expect(Number(record.headers["x-event-count"])).toBe(unpack(record).length);
    }
    expect(seen.sort()).toEqual(events.map((e) => e.event_id).sort());
    // a user's events keep their order inside its record
    const user = events.filter((e) => e.user_id === "user-5").map((e) => e.event_id);
    const record = records.find((r) => unpack(r).some((e) => e.user_id === "user-5"));
    expect(
      (record ? unpack(record) : []).filter((e) => e.user_id === "user-5").map((e) => e.event_id),
    ).toEqual(user);
  });

  it("sends what a request's events share once, in headers, and gives back the events enrichEvent makes", () => {
    const context = {
      receivedAt: AT,
      correlationId: "req-9",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
      projectId: "default",
    };
    const valid = [
      { input: { event_type: "click", user_id: "u1", value: 2 }, timestamp: undefined },
      { input: { event_type: "click", user_id: "u1", event_id: "mine" }, timestamp: AT - 5 },
      { input: { event_type: "click", user_id: "u1" }, timestamp: AT },
    ];
    const expected = valid.map((v) => enrichEvent(structuredClone(v), context));
    const wire = valid.map((v) => toWireEvent(structuredClone(v), AT));
    const [record] = packEvents(
      wire,
      () => "t",
      () => 6,
      {
        correlationId: "req-9",
        receivedAt: AT,
        source: expected[0]?.source ?? { api_version: 1 },
        projectId: "default",
      },
    );
    expect(record?.headers).toMatchObject({ "x-received-at": String(AT), "x-correlation-id": "req-9" });
    expect(JSON.parse(record?.headers["x-source"] ?? "null")).toEqual(expected[0]?.source);
    expect(record?.value).not.toContain("Mozilla");
    // an event without a time of its own carries none: it is the request's receive time
    expect(JSON.parse(record?.value ?? "[]")[0]).not.toHaveProperty("timestamp");
    const back = record ? unpack(record) : [];
    expect(back).toEqual(expected.map((e, i) => ({ ...e, event_id: wire[i]?.event_id })));
  });

  it("round-trips any request's events to exactly what enrichEvent makes of them", () => {
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const input = fc.record(
      {
        event_type: fc.constantFrom("click", "page_view", "purchase"),
        event_id: optional(fc.uuid()),
        user_id: optional(fc.string({ minLength: 1, maxLength: 20 })),
        session_id: optional(fc.string({ minLength: 1, maxLength: 20 })),
        region: optional(fc.constantFrom("eu-west", "us-east")),
        value: optional(fc.double({ noNaN: true, noDefaultInfinity: true })),
        properties: optional(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }))),
      },
      { requiredKeys: ["event_type"] },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(input, optional(fc.integer({ min: 0, max: 2_000_000_000_000 }))), {
          minLength: 1,
          maxLength: 20,
        }),
        optional(fc.string({ maxLength: 40 })),
        (inputs, userAgent) => {
          const context = { receivedAt: AT, correlationId: "req-p", userAgent, projectId: "default" };
          const valid = inputs.map(([raw, timestamp]) => ({
            input: Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as EventInput,
            timestamp,
          }));
          const expected = valid.map((v) => enrichEvent(structuredClone(v), context));
          const wire = valid.map((v) => toWireEvent(structuredClone(v), AT));
          // a generated id is the wire event's own; everything else must come back as enrichEvent made it
          const want = expected.map((e, i) => ({ ...e, event_id: wire[i]?.event_id ?? "" }));
          const records = packEvents(
            wire,
            () => "t",
            () => 4,
            {
              correlationId: "req-p",
              receivedAt: AT,
              source: want[0]?.source ?? { api_version: 1 },
              projectId: "default",
            },
          );
          const back = records.flatMap((record) => unpack(record));
          const byId = (list: EnrichedEvent[]) =>
            [...list].sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
          expect(byId(back)).toEqual(byId(want.map((e) => JSON.parse(JSON.stringify(e)) as EnrichedEvent)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads records without shared headers (one full event, or packed before the headers) as they are", () => {
    const full = enrichEvent(
      { input: { event_type: "click", user_id: "u2" }, timestamp: AT },
      { receivedAt: AT, correlationId: "c", userAgent: undefined, projectId: "default" },
    );
    expect(unpackRecord(JSON.stringify(full), undefined)).toEqual([full]);
    expect(unpackRecord(JSON.stringify([full, full]), { "x-correlation-id": Buffer.from("c") })).toEqual([
      full,
      full,
    ]);
  });

  it("keeps topics apart and splits records before the size limit", () => {
    const big = "x".repeat(40_000);
    const events = Array.from({ length: 30 }, (_, i) => event("same-user", { i, big }));
    const records = packEvents(
      events,
      (e) => (Number(e.properties?.i) % 2 ? "a" : "b"),
      () => 6,
      request,
    );
    expect(new Set(records.map((r) => r.topic))).toEqual(new Set(["a", "b"]));
    expect(records.length).toBeGreaterThan(2);
    for (const record of records)
      expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    // split in order: a user's events still come back in the order they were sent
    const back = records.flatMap((r) => unpack(r));
    expect(back.map((e) => e.event_id)).toEqual(
      [...events.filter((_, i) => i % 2 === 0), ...events.filter((_, i) => i % 2 === 1)].map(
        (e) => e.event_id,
      ),
    );
  });

  it("falls back to a record per key when the partition count is unknown", () => {
    const records = packEvents(
      [event("a"), event("b"), event("a")],
      () => "t",
      () => undefined,
      request,
    );
    expect(records.map((r) => [r.key, r.partition, unpack(r).length])).toEqual([
      ["a", undefined, 2],
      ["b", undefined, 1],
    ]);
  });
});

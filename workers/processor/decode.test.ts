import { describe, expect, it } from "vitest";
import { enrichEvent, toWireEvent } from "@/lib/events/enrich";
import { packEvents } from "@/lib/kafka/records";
import { decodeRecord } from "./decode";

const event = enrichEvent(
  { input: { event_type: "click", user_id: "u1" }, timestamp: 1_700_000_000_000 },
  { receivedAt: 1_700_000_000_000, correlationId: "c", userAgent: undefined, projectId: "default" },
);

describe("decodeRecord", () => {
  it("reads a single event and a packed array", () => {
    expect(decodeRecord(Buffer.from(JSON.stringify(event))).events).toEqual([event]);
    const packed = decodeRecord(Buffer.from(JSON.stringify([event, { ...event, event_id: "other" }])));
    expect(packed.events.map((e) => e.event_id)).toEqual([event.event_id, "other"]);
    expect(packed.failures).toEqual([]);
  });

  it.each([
    [null, "empty message"],
    [Buffer.from("{nope"), "not JSON"],
    [Buffer.from(JSON.stringify({ ...event, timestamp: "soon" })), "invalid field timestamp"],
    // a time no Date or PostgreSQL timestamp holds: it failed every write of its batch
    [Buffer.from(JSON.stringify({ ...event, timestamp: 1e20 })), "invalid field timestamp"],
    [Buffer.from(JSON.stringify({ ...event, received_at: -1 })), "invalid field received_at"],
  ])("reports a bad record instead of throwing (%#)", (value, reason) => {
    const decoded = decodeRecord(value);
    expect(decoded.events).toEqual([]);
    expect(decoded.failures[0]?.reason).toContain(reason);
  });

  it("completes a packed record's events from its headers", () => {
    const [record] = packEvents(
      [
        toWireEvent(
          {
            input: { event_type: "click", user_id: "u1", event_id: event.event_id },
            timestamp: undefined,
          },
          event.received_at,
        ),
        toWireEvent(
          {
            input: { event_type: "click", user_id: "u1", event_id: "second" },
            timestamp: undefined,
          },
          event.received_at,
        ),
      ],
      () => "t",
      () => 6,
      { correlationId: "c", receivedAt: event.received_at, source: event.source, projectId: "default" },
    );
    const decoded = decodeRecord(
      Buffer.from(record?.value ?? ""),
      Object.fromEntries(Object.entries(record?.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
    );
    expect(decoded.failures).toEqual([]);
    // these two came with their ids and without times
    const supplied = { ...event, id_supplied: true, timestamp_supplied: false };
    expect(decoded.events).toEqual([supplied, { ...supplied, event_id: "second" }]);
  });

  it("keeps the good events of a packed record and reports the bad one", () => {
    const decoded = decodeRecord(Buffer.from(JSON.stringify([event, { bad: true }])));
    expect(decoded.events).toHaveLength(1);
    expect(decoded.failures).toHaveLength(1);
  });
});

describe("decodeRecord and fields it does not know", () => {
  // A field the processor does not know would not be stored: refused on purpose (dead-lettered
  // with its name), never dropped silently.
  it.each([
    [{ ...event, colour: "red" }, "unknown field: colour"],
    [{ ...event, source: { ...event.source, ip: "10.0.0.1" } }, "unknown field in source: ip"],
  ])("dead-letters an event with an unknown field (%#)", (item, reason) => {
    const decoded = decodeRecord(Buffer.from(JSON.stringify([event, item])));
    expect(decoded.events).toEqual([event]);
    expect(decoded.failures).toEqual([{ value: JSON.stringify(item), reason }]);
  });
});

describe("decodeRecord and text PostgreSQL cannot store", () => {
  // one such event failed every write of its batch, for good: its partition stopped being stored
  it.each([
    [{ ...event, user_id: "u\u0000" }, "invalid field user_id"],
    [{ ...event, properties: { page: "/\ud800" } }, "invalid field properties.page"],
    [{ ...event, properties: { "k\u0000": 1 } }, 'invalid field properties["k\\u0000"]'],
  ])("dead-letters the event and keeps the others of its record (%#)", (item, reason) => {
    const decoded = decodeRecord(Buffer.from(JSON.stringify([event, item])));
    expect(decoded.events).toEqual([event]);
    expect(decoded.failures).toHaveLength(1);
    expect(decoded.failures[0]?.reason).toContain(reason);
  });

  it("dead-letters the events of a record whose header carries a NUL character", () => {
    const [record] = packEvents(
      [
        toWireEvent(
          { input: { event_type: "click", user_id: "u1" }, timestamp: undefined },
          event.received_at,
        ),
      ],
      () => "events.click",
      () => undefined,
      {
        correlationId: "c\u0000",
        receivedAt: event.received_at,
        source: { api_version: 1 },
        projectId: "default",
      },
    );
    const decoded = decodeRecord(
      Buffer.from(record?.value ?? ""),
      Object.fromEntries(Object.entries(record?.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
    );
    expect(decoded.events).toEqual([]);
    expect(decoded.failures[0]?.reason).toContain("invalid field correlation_id");
  });
});

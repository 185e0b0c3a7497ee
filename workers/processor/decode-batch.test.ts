import { describe, expect, it } from "vitest";
import { enrichEvent } from "@/lib/events/enrich";
import { stageEvent } from "@/lib/services/events/persist-batch";
import { decodeBatch, type EventTimeRules } from "./decode-batch";

const NOW = 1_700_000_000_000;
const rules: EventTimeRules = { windowSizesMs: [60_000], allowedLatenessMs: 5_000, maxSkewMs: 1_000 };

function eventAt(timestamp: number, receivedAt: number, eventId: string) {
  const event = enrichEvent(
    { input: { event_type: "click", user_id: "u1", session_id: "s1", event_id: eventId }, timestamp },
    { receivedAt, correlationId: `c-${eventId}`, userAgent: undefined, projectId: "default" },
  );
  return event;
}

const message = (offset: number, value: unknown) => ({
  offset: String(offset),
  value: Buffer.from(JSON.stringify(value)),
});

describe("decodeBatch", () => {
  it("stages every event of a fetch with its partition and offset, as stageEvent does", async () => {
    const first = eventAt(NOW, NOW, "a");
    const second = eventAt(NOW - 1, NOW, "b");
    const decoded = await decodeBatch([message(7, first), message(8, [second])], 3, NOW, rules);
    expect(decoded.bad).toEqual([]);
    expect(decoded.events.map(({ eventId, partition, offset }) => ({ eventId, partition, offset }))).toEqual([
      { eventId: "a", partition: 3, offset: 7 },
      { eventId: "b", partition: 3, offset: 8 },
    ]);
    const staged = stageEvent({ event: first, partition: 3, offset: 7, maybeClosed: false });
    expect(decoded.events[0]).toMatchObject({
      stagingRow: staged.stagingRow,
      time: NOW,
      sessionId: "s1",
      correlationId: "c-a",
    });
  });

  it("collects what is not an event for the dead-letter topic, with its offset", async () => {
    const good = eventAt(NOW, NOW, "a");
    const decoded = await decodeBatch(
      [
        { offset: "1", value: null },
        { offset: "2", value: Buffer.from("{nope") },
        message(3, [good, { bad: 1 }]),
      ],
      0,
      NOW,
      rules,
    );
    expect(decoded.events.map((event) => event.eventId)).toEqual(["a"]);
    // the reasons are decode.ts's; here only where each bad part came from
    expect(decoded.bad.map(({ offset }) => offset)).toEqual(["1", "2", "3"]);
    expect(decoded.bad[0]?.reason).toBe("empty message");
  });

  it("moves the watermark by the largest event time, capped at receive time plus the skew", async () => {
    const early = eventAt(NOW - 10_000, NOW, "a");
    const ahead = eventAt(NOW + 60_000, NOW, "b"); // a fast client clock
    expect((await decodeBatch([message(0, early)], 0, NOW, rules)).maxEventTime).toBe(NOW - 10_000);
    expect((await decodeBatch([message(0, [early, ahead])], 0, NOW, rules)).maxEventTime).toBe(NOW + 1_000);
    expect((await decodeBatch([{ offset: "0", value: null }], 0, NOW, rules)).maxEventTime).toBeUndefined();
  });

  it("flags an event whose window may be closed already, and only that one", async () => {
    const old = eventAt(NOW - 3_600_000, NOW, "old");
    const fresh = eventAt(NOW, NOW, "fresh");
    const decoded = await decodeBatch([message(0, [old, fresh])], 0, NOW, rules);
    const flagged = (index: number) => {
      const staged = decoded.events[index];
      const event = index === 0 ? old : fresh;
      return (
        staged?.stagingRow === stageEvent({ event, partition: 0, offset: 0, maybeClosed: true }).stagingRow
      );
    };
    expect([flagged(0), flagged(1)]).toEqual([true, false]);
  });

  it("yields to the event loop between slices and keeps the order", async () => {
    const messages = Array.from({ length: 200 }, (_, index) =>
      message(index, eventAt(NOW, NOW, `e${index}`)),
    );
    const decodeNoticingYield = async (sliceMs: number) => {
      let looped = false;
      setImmediate(() => (looped = true));
      const decoded = await decodeBatch(messages, 0, NOW, rules, sliceMs);
      return { decoded, looped };
    };
    const sliced = await decodeNoticingYield(0);
    expect(sliced.looped).toBe(true);
    expect(sliced.decoded.events.map((event) => event.offset)).toEqual(messages.map((_, index) => index));
    expect((await decodeNoticingYield(Number.POSITIVE_INFINITY)).looped).toBe(false);
  });
});

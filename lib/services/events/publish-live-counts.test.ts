import { describe, expect, it, vi } from "vitest";
import { toWireEvent } from "@/lib/events/enrich";
import { countBySecond, LiveCountsOutbox } from "./publish-live-counts";

const RECEIVED_AT = 1_700_000_000_000;
const at = (timestamp: number | undefined, eventType: string, region?: string) =>
  toWireEvent({ input: { event_type: eventType, ...(region ? { region } : {}) }, timestamp }, RECEIVED_AT);

describe("countBySecond", () => {
  it("counts events per second of event time (else receive time), type and region, with unknown for no region", () => {
    const t = RECEIVED_AT;
    const message = countBySecond(
      [at(undefined, "click", "eu"), at(t + 999, "click", "eu"), at(t + 1000, "click", "eu"), at(t, "buy")],
      t,
    );
    expect(message.kind).toBe("counts");
    expect(message.counts).toEqual(
      expect.arrayContaining([
        { t: "click", r: "eu", s: t / 1000, n: 2 },
        { t: "click", r: "eu", s: t / 1000 + 1, n: 1 },
        { t: "buy", r: "unknown", s: t / 1000, n: 1 },
      ]),
    );
    expect(message.counts.reduce((sum, cell) => sum + cell.n, 0)).toBe(4);
  });
});

describe("LiveCountsOutbox", () => {
  it("publishes at once after a quiet interval, else adds counts up until the interval ends", () => {
    vi.useFakeTimers();
    try {
      const published: [string, unknown][] = [];
      const outbox = new LiveCountsOutbox((project, counts) => published.push([project, counts]), 20);
      outbox.add("p1", [{ t: "click", r: "eu", s: 10, n: 1 }]);
      expect(published).toEqual([["p1", [{ t: "click", r: "eu", s: 10, n: 1 }]]]);
      // within the interval: gathered, per project, added up per cell
      outbox.add("p1", [{ t: "click", r: "eu", s: 10, n: 2 }]);
      outbox.add("p1", [
        { t: "click", r: "eu", s: 10, n: 3 },
        { t: "buy", r: "eu", s: 10, n: 1 },
      ]);
      outbox.add("p2", [{ t: "click", r: "eu", s: 10, n: 5 }]);
      expect(published).toHaveLength(1);
      vi.advanceTimersByTime(20);
      expect(published.slice(1)).toEqual([
        [
          "p1",
          [
            { t: "click", r: "eu", s: 10, n: 5 },
            { t: "buy", r: "eu", s: 10, n: 1 },
          ],
        ],
        ["p2", [{ t: "click", r: "eu", s: 10, n: 5 }]],
      ]);
      // nothing for an idle interval; after it, the next request's counts go out at once
      vi.advanceTimersByTime(500);
      expect(published).toHaveLength(3);
      outbox.add("p1", [{ t: "click", r: "eu", s: 11, n: 1 }]);
      expect(published[3]).toEqual(["p1", [{ t: "click", r: "eu", s: 11, n: 1 }]]);
    } finally {
      vi.useRealTimers();
    }
  });
});

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
  it("adds up the counts of many requests and publishes them once per interval and project", () => {
    vi.useFakeTimers();
    try {
      const published: [string, unknown][] = [];
      const outbox = new LiveCountsOutbox((project, counts) => published.push([project, counts]), 50);
      outbox.add("p1", [{ t: "click", r: "eu", s: 10, n: 1 }]);
      outbox.add("p1", [
        { t: "click", r: "eu", s: 10, n: 2 },
        { t: "buy", r: "eu", s: 10, n: 1 },
      ]);
      outbox.add("p2", [{ t: "click", r: "eu", s: 10, n: 5 }]);
      expect(published).toEqual([]);
      vi.advanceTimersByTime(50);
      expect(published).toEqual([
        [
          "p1",
          [
            { t: "click", r: "eu", s: 10, n: 3 },
            { t: "buy", r: "eu", s: 10, n: 1 },
          ],
        ],
        ["p2", [{ t: "click", r: "eu", s: 10, n: 5 }]],
      ]);
      // the next interval starts empty, and nothing is published for an idle one
      vi.advanceTimersByTime(500);
      expect(published).toHaveLength(2);
      outbox.add("p1", [{ t: "click", r: "eu", s: 11, n: 1 }]);
      vi.advanceTimersByTime(50);
      expect(published[2]).toEqual(["p1", [{ t: "click", r: "eu", s: 11, n: 1 }]]);
    } finally {
      vi.useRealTimers();
    }
  });
});

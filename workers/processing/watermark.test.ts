import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WatermarkTracker, windowStartOf } from "./watermark";

const MIN = 60_000;
const WINDOW = 5 * MIN;

describe("windowStartOf", () => {
  it.each([
    [0, 0],
    [WINDOW - 1, 0],
    [WINDOW, WINDOW],
    [Date.parse("2026-01-01T10:07:30Z"), Date.parse("2026-01-01T10:05:00Z")],
  ])("window of %i starts at %i", (time, start) => {
    expect(windowStartOf(time, WINDOW)).toBe(start);
  });

  it("always contains its time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (time, size) => {
          const start = windowStartOf(time, size);
          expect(start).toBeLessThanOrEqual(time);
          expect(time).toBeLessThan(start + size);
          expect(start % size).toBe(0);
        },
      ),
    );
  });
});

describe("WatermarkTracker", () => {
  const t0 = Date.parse("2026-01-01T10:00:00Z");

  it("accepts out-of-order events within the allowed lateness", () => {
    const tracker = new WatermarkTracker(2 * MIN, WINDOW);
    expect(tracker.observe("p", t0 + 6 * MIN).late).toBe(false);
    // window [10:00, 10:05) ends after the watermark 10:04
    expect(tracker.observe("p", t0 + 1 * MIN).late).toBe(false);
  });

  it("flags an event whose window ended before the watermark", () => {
    const tracker = new WatermarkTracker(2 * MIN, WINDOW);
    tracker.observe("p", t0 + 8 * MIN); // watermark 10:06
    expect(tracker.observe("p", t0 + 4 * MIN).late).toBe(true);
    expect(tracker.observe("p", t0 + 5 * MIN).late).toBe(false);
  });

  it("keeps partitions apart: an idle partition does not make another's events late", () => {
    const tracker = new WatermarkTracker(2 * MIN, WINDOW);
    tracker.observe("busy", t0 + 60 * MIN);
    expect(tracker.observe("idle", t0).late).toBe(false);
  });

  it("never moves the watermark backwards", () => {
    const tracker = new WatermarkTracker(0, WINDOW);
    tracker.observe("p", t0 + 10 * MIN);
    tracker.observe("p", t0);
    expect(tracker.watermark("p")).toBe(t0 + 10 * MIN);
  });
});

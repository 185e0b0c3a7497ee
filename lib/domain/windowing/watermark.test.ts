import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mayBeClosed, watermarkTime, windowStartOf } from "./watermark";

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

describe("watermarkTime", () => {
  const received = Date.parse("2026-01-01T10:00:00Z");

  it.each([
    ["an honest event", received - 30_000, received - 30_000],
    ["a slightly fast clock within the skew", received + 3_000, received + 3_000],
    ["a clock five minutes fast", received + 5 * MIN, received + 5_000],
  ])("%s", (_label, eventTime, expected) => {
    expect(watermarkTime(eventTime, received, 5_000)).toBe(expected);
  });
});

describe("mayBeClosed", () => {
  const sizes = [5 * MIN, MIN];

  it("is true for every event a watermark within the bounds could have closed a window of", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 10 * MIN }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: -60_000, max: 60_000 }),
        (eventTime, now, lateness, skew, clockOffset) => {
          // the closer's watermark: a receive time (on a clock up to `skew` off) plus the skew, minus the lateness
          const offset = Math.max(-skew, Math.min(skew, clockOffset));
          const watermark = now + offset + skew - lateness;
          const closedSomewhere = sizes.some((size) => windowStartOf(eventTime, size) + size <= watermark);
          if (closedSomewhere) expect(mayBeClosed(eventTime, now, sizes, lateness, skew)).toBe(true);
        },
      ),
    );
  });

  it("skips the check for events of the current windows", () => {
    const now = Date.parse("2026-01-01T10:02:30Z");
    expect(mayBeClosed(now - 1_000, now, sizes, 2 * MIN, 5_000)).toBe(false);
    expect(mayBeClosed(now - 10 * MIN, now, sizes, 2 * MIN, 5_000)).toBe(true);
  });

  it("takes the earliest-ending window of sizes that do not nest", () => {
    // 70 s: its 60 s window [60, 120) ends after its 90 s window [0, 90)
    expect(mayBeClosed(70_000, 95_000, [60_000, 90_000], 0, 0)).toBe(true);
  });
});

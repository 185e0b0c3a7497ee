import { describe, expect, it } from "vitest";
import { counterTotal, histogramBuckets, quantileBetween, type MetricReading } from "./registry-figures";

const histogram = (counts: Record<string, number>): MetricReading => ({
  values: Object.entries(counts).map(([le, value]) => ({ value, labels: { le }, metricName: "h_bucket" })),
});

describe("registry figures", () => {
  it("sums the counter series whose labels match", () => {
    const reading: MetricReading = {
      values: [
        { value: 5, labels: { outcome: "delivered" } },
        { value: 2, labels: { outcome: "retry" } },
        { value: 1, labels: { outcome: "delivered" } },
      ],
    };
    expect(counterTotal(reading)).toBe(8);
    expect(counterTotal(reading, { outcome: "delivered" })).toBe(6);
    expect(counterTotal(undefined)).toBe(0);
  });

  it("sums bucket counts over series and ignores _sum and _count", () => {
    const reading: MetricReading = {
      values: [
        { value: 1, labels: { le: 0.1, route: "a" }, metricName: "h_bucket" },
        { value: 2, labels: { le: 0.1, route: "b" }, metricName: "h_bucket" },
        { value: 3, labels: { le: "+Inf", route: "b" }, metricName: "h_bucket" },
        { value: 9, labels: { route: "b" }, metricName: "h_count" },
      ],
    };
    expect([...histogramBuckets(reading)]).toEqual([
      [0.1, 3],
      [Number.POSITIVE_INFINITY, 3],
    ]);
  });

  it.each([
    // 10 observations gained, all in (0.1, 0.5]: the median is interpolated halfway
    [{ "0.1": 0, "0.5": 10, "+Inf": 10 }, 0.5, 300],
    // 100 gained: 90 at most 0.1 s, 10 in (0.1, 1]: p99 is 0.1 + 0.9 * 9/10
    [{ "0.1": 90, "1": 100, "+Inf": 100 }, 0.99, 910],
    // beyond the last finite bound: that bound
    [{ "0.1": 0, "1": 0, "+Inf": 4 }, 0.5, 1000],
  ])("interpolates the quantile of what was gained (%o, q=%d)", (after, q, expected) => {
    const buckets = histogramBuckets(histogram(after));
    expect(quantileBetween(new Map(), buckets, q)).toBeCloseTo(expected, 6);
  });

  it("counts only what was observed between the readings, and nothing as null", () => {
    const before = histogramBuckets(histogram({ "0.1": 50, "1": 50, "+Inf": 50 }));
    const after = histogramBuckets(histogram({ "0.1": 50, "1": 60, "+Inf": 60 }));
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(550, 6);
    expect(quantileBetween(after, after, 0.5)).toBeNull();
  });
});

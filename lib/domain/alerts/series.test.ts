import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ruleMetrics } from "@/lib/alerts/constants";
import {
  detectorOptionsFor,
  metricValue,
  parseSeriesKey,
  seriesKey,
  seriesOfWindow,
  windowsBetween,
} from "./series";
import { severityForScore, thresholdFor } from "./sensitivity";

describe("series keys", () => {
  it("round-trips any event type, region and metric", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.string(),
        fc.string(),
        fc.constantFrom(...ruleMetrics),
        (windowSeconds, eventType, region, metric) => {
          const id = { windowSeconds, eventType, region, metric };
          expect(parseSeriesKey(seriesKey(id))).toEqual(id);
        },
      ),
    );
  });

  it("keeps another project's series apart, and the default project's keys as before projects", () => {
    const id = { windowSeconds: 300, eventType: "click", region: "eu", metric: "count" as const };
    expect(seriesKey({ ...id, projectId: "default" })).toBe(seriesKey(id));
    expect(seriesKey({ ...id, projectId: "shop" })).toBe("shop|300|click|eu|count");
    expect(parseSeriesKey("shop|300|click|eu|count")).toEqual({ ...id, projectId: "shop" });
    expect(
      seriesOfWindow({ project_id: "shop", window_seconds: 300, event_type: "click", region: "eu" })[0],
    ).toEqual({ ...id, projectId: "shop" });
  });

  it("keeps separators inside parts apart", () => {
    const a = seriesKey({ windowSeconds: 300, eventType: "a|b", region: "c", metric: "count" });
    const b = seriesKey({ windowSeconds: 300, eventType: "a", region: "b|c", metric: "count" });
    expect(a).not.toBe(b);
    expect(seriesKey({ windowSeconds: 300, eventType: "*", region: "eu-west", metric: "p95" })).toBe(
      "300|*|eu-west|p95",
    );
  });

  it("rejects malformed keys", () => {
    for (const key of ["", "300|a|b", "x|a|b|count", "300|a|b|median", "300|a|b|count|extra|more"]) {
      expect(parseSeriesKey(key)).toBeUndefined();
    }
  });

  it("gives one series per metric for a window", () => {
    const ids = seriesOfWindow({ window_seconds: 60, event_type: "click", region: "*" });
    expect(ids.map((id) => id.metric)).toEqual(["count", "distinct_users", "avg", "p95"]);
  });

  it("reads each metric from a window, null where it has no value", () => {
    const window = { count: 10, distinct_users: 4, avg: null, p95: 7.5 };
    expect(ruleMetrics.map((metric) => metricValue(window, metric))).toEqual([10, 4, null, 7.5]);
  });

  it("fills gaps with zeros for counts only", () => {
    expect(detectorOptionsFor("count", 300).fillGaps).toEqual({ stepMs: 300_000, value: 0, maxSteps: 288 });
    expect(detectorOptionsFor("distinct_users", 60).fillGaps?.stepMs).toBe(60_000);
    expect(detectorOptionsFor("avg", 300).fillGaps).toBeUndefined();
    expect(detectorOptionsFor("p95", 300).fillGaps).toBeUndefined();
    expect(detectorOptionsFor("count", 300).recordForget).toBeCloseTo(1 / 8640, 12);
  });

  it("counts the windows missing between two window starts", () => {
    expect(windowsBetween(0, 300_000, 300)).toBe(0);
    expect(windowsBetween(0, 1_200_000, 300)).toBe(3);
    expect(windowsBetween(600_000, 300_000, 300)).toBe(0);
  });
});

describe("sensitivity and severity", () => {
  it("asks for a higher score the lower the sensitivity", () => {
    expect(thresholdFor("high")).toBe(0.5);
    expect(thresholdFor("medium")).toBeGreaterThan(thresholdFor("high"));
    expect(thresholdFor("low")).toBeGreaterThan(thresholdFor("medium"));
  });

  it.each([
    [0.5, "low"],
    [0.649, "low"],
    [0.65, "medium"],
    [0.85, "high"],
    [0.949, "high"],
    [0.95, "critical"],
    [1, "critical"],
  ] as const)("maps score %s to %s", (score, severity) => {
    expect(severityForScore(score)).toBe(severity);
  });
});

import { describe, expect, it } from "vitest";
import { replayRule, type ReplayRule, type StoredWindow } from "./replay";
import { DEFAULT_OPTIONS } from "../detection/detector";

const STEP = 300_000;
const NOW = Date.parse("2026-03-10T12:00:00Z");
const FROM = NOW - 86_400_000;

function windows(values: [offsetWindowsBeforeNow: number, count: number][]): StoredWindow[] {
  return values.map(([offset, count]) => ({
    window_start: new Date(NOW - offset * STEP).toISOString(),
    count,
    distinct_users: count,
    avg: null,
    p95: null,
  }));
}

const threshold: ReplayRule = {
  metric: "count",
  windowSeconds: 300,
  condition: { type: "threshold", operator: "above", value: 50 },
  forWindows: 2,
};

describe("rule replay", () => {
  it("reports when a threshold rule would have fired and resolved", () => {
    const stored = windows([
      [20, 10],
      [19, 60],
      [18, 70],
      [17, 80],
      [16, 10],
      [15, 10],
      [14, 10],
    ]);
    const preview = replayRule(threshold, stored, { fromMs: FROM, toMs: NOW, latenessMs: 0 });
    expect(preview.incidents).toEqual([
      {
        fired_window_start: new Date(NOW - 18 * STEP).toISOString(),
        resolved_window_start: new Date(NOW - 15 * STEP).toISOString(),
        peak_observed: 80,
      },
    ]);
    expect(preview.points.filter((point) => point.breach)).toHaveLength(3);
    expect(preview.windows).toBe(7);
  });

  it("leaves out incidents that ended before the replayed day but uses them to warm up", () => {
    const stored = windows([
      [400, 90],
      [399, 90],
      [398, 10],
      [397, 10],
      [10, 10],
    ]);
    const preview = replayRule(threshold, stored, { fromMs: FROM, toMs: NOW, latenessMs: 0 });
    expect(preview.incidents).toEqual([]);
    expect(preview.points).toHaveLength(1);
  });

  it("fires a no-data rule on a gap and on silence up to now", () => {
    const rule: ReplayRule = { ...threshold, condition: { type: "no_data", windows: 3 }, forWindows: 1 };
    const stored = windows([
      [30, 5],
      [25, 5],
      [24, 5],
      [10, 5],
    ]);
    const preview = replayRule(rule, stored, { fromMs: FROM, toMs: NOW, latenessMs: 0 });
    const at = (windowsBeforeNow: number) => new Date(NOW - windowsBeforeNow * STEP).toISOString();
    expect(preview.incidents).toEqual([
      { fired_window_start: at(27), resolved_window_start: at(25), peak_observed: null },
      { fired_window_start: at(21), resolved_window_start: at(10), peak_observed: null },
      { fired_window_start: at(7), resolved_window_start: null, peak_observed: null },
    ]);
  });

  it("says when there is not enough history for the detector", () => {
    const rule: ReplayRule = {
      ...threshold,
      condition: { type: "anomaly", sensitivity: "high" },
      forWindows: 1,
    };
    const preview = replayRule(rule, windows([[5, 10]]), { fromMs: FROM, toMs: NOW, latenessMs: 0 });
    expect(preview.note).toContain(`learns for ${DEFAULT_OPTIONS.warmup} windows`);
    expect(replayRule(rule, [], { fromMs: FROM, toMs: NOW, latenessMs: 0 }).note).toMatch(
      /No stored windows/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { evaluateWindow, missingWindowsAt } from "./evaluate";

describe("condition evaluation", () => {
  it.each([
    [{ type: "threshold", operator: "above", value: 100 } as const, 101, null, "breach"],
    [{ type: "threshold", operator: "above", value: 100 } as const, 100, null, "clear"],
    [{ type: "threshold", operator: "below", value: 5 } as const, 4, null, "breach"],
    [{ type: "threshold", operator: "below", value: 5 } as const, null, null, "unknown"],
    [{ type: "anomaly", sensitivity: "high" } as const, 10, 0.5, "breach"],
    [{ type: "anomaly", sensitivity: "medium" } as const, 10, 0.6, "clear"],
    [{ type: "anomaly", sensitivity: "low" } as const, 10, 0.9, "breach"],
    [{ type: "anomaly", sensitivity: "high" } as const, 10, null, "unknown"],
    [{ type: "no_data", windows: 3 } as const, 0, null, "clear"],
  ])("%j with observed %s and score %s is %s", (condition, observed, score, outcome) => {
    expect(evaluateWindow(condition, observed, score)).toBe(outcome);
  });

  it("counts closed windows without data, allowing for lateness", () => {
    const step = 300_000;
    const last = 10 * step;
    // At 13 windows + lateness the watermark is at 13: windows 11 and 12 are closed, 13 is not.
    expect(missingWindowsAt(13 * step + 60_000, last, 300, 60_000)).toBe(2);
    expect(missingWindowsAt(13 * step + 59_999, last, 300, 60_000)).toBe(1);
    expect(missingWindowsAt(14 * step + 60_000, last, 300, 60_000)).toBe(3);
    expect(missingWindowsAt(11 * step, last, 300, 60_000)).toBe(0);
  });
});

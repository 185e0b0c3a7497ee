import { describe, expect, it } from "vitest";
import { timeTicks } from "./time-ticks";

describe("timeTicks", () => {
  it.each([
    { span: 5 * 60_000, target: 6, step: 60_000, detail: "minutes" },
    { span: 60_000, target: 6, step: 15_000, detail: "seconds" },
    { span: 24 * 3600_000, target: 8, step: 3 * 3600_000, detail: "minutes" },
    { span: 30 * 86_400_000, target: 6, step: 7 * 86_400_000, detail: "days" },
  ])("picks round steps for a span of $span ms", ({ span, target, step, detail }) => {
    const from = Date.UTC(2026, 0, 5, 10, 0, 7);
    const result = timeTicks(from, from + span, target);
    expect(result.detail).toBe(detail);
    expect(result.ticks.length).toBeLessThanOrEqual(target + 1);
    for (const [index, tick] of result.ticks.entries()) {
      expect(tick).toBeGreaterThanOrEqual(from);
      if (index > 0) expect(tick - (result.ticks[index - 1] ?? 0)).toBe(step);
    }
  });
});

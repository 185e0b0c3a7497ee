import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { addToTailModel, computeTailSurprise, createTailModel, type TailModel } from "./tail-model";

/** The same model as a state saved before `top` existed: every bin is scanned. */
function withoutTop(model: TailModel): TailModel {
  const { top: _top, ...rest } = model;
  return { ...rest, counts: [...rest.counts] };
}

describe("tail model", () => {
  it("gives the same surprise whether or not it knows its highest filled bin", () => {
    const stat = fc.double({ min: 0, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.array(stat, { minLength: 1, maxLength: 300 }), stat, (history, query) => {
        const model = createTailModel();
        for (const x of history) addToTailModel(model, x, 100);
        const old = withoutTop(model);
        expect(computeTailSurprise(model, query)).toBeCloseTo(computeTailSurprise(old, query), 9);
        // An old state learns on and gains `top` without changing what it answers.
        addToTailModel(model, query, 100);
        addToTailModel(old, query, 100);
        expect(old.top).toBe(model.top);
        expect(computeTailSurprise(old, query)).toBe(computeTailSurprise(model, query));
      }),
      { numRuns: 200 },
    );
  });

  it("is more surprised by larger values and keeps growing past the largest one seen", () => {
    const model = createTailModel();
    for (let i = 0; i < 2000; i++) addToTailModel(model, Math.abs(Math.sin(i)) * 3, 3000);
    const surprises = [0.5, 2, 3, 6, 30, 300].map((x) => computeTailSurprise(model, x));
    expect(surprises.every((s, i) => i === 0 || s >= (surprises[i - 1] ?? 0))).toBe(true);
    expect(surprises[5] ?? 0).toBeGreaterThan((surprises[4] ?? 0) + 1);
  });
});

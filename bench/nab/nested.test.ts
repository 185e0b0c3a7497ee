import { describe, expect, it } from "vitest";

import { createSweeper, nestedCrossValidate } from "./nested";
import { buildLayout, findBestThreshold, PROFILES, scoreCorpus, type Profile } from "./scorer";

const MINUTE = 60_000;
const standard = PROFILES.find((p) => p.name === "standard") as Profile;
const timestamps = Array.from({ length: 1000 }, (_, i) => i * MINUTE);

function createRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (Math.imul(t, 1103515245) + 12345) >>> 0;
    return t / 4294967296;
  };
}

/** Six files in three categories, one window each at a different place. */
const layouts = Array.from({ length: 6 }, (_, f) =>
  buildLayout(`cat${f % 3}/file${f}.csv`, timestamps, [[(300 + 80 * f) * MINUTE, (349 + 80 * f) * MINUTE]]),
);

function noisyScores(seed: number, hitAt: (file: number) => number | null): Float64Array[] {
  const random = createRandom(seed);
  return layouts.map((_, f) => {
    const scores = Float64Array.from({ length: 1000 }, () => Math.round(random() * 40) / 100);
    const hit = hitAt(f);
    if (hit !== null) scores[hit] = 0.9;
    return scores;
  });
}

describe("nested cross-validation", () => {
  it("sweeps thresholds like NAB's optimiser, on all files and on a subset", () => {
    const scores = noisyScores(3, (f) => 305 + 80 * f);
    const sweeper = createSweeper(layouts, scores);
    expect(
      sweeper.best(
        layouts.map(() => true),
        standard,
      ),
    ).toEqual(findBestThreshold(layouts, scores, standard));
    const subset = layouts.map((_, f) => f % 2 === 0);
    const picked = layouts.filter((_, f) => f % 2 === 0);
    expect(sweeper.best(subset, standard)).toEqual(
      findBestThreshold(
        picked,
        scores.filter((_, f) => f % 2 === 0),
        standard,
      ),
    );
  });

  it("scores a category with the candidate the other categories prefer, not the one it prefers", () => {
    // "early" hits every window at its start; "late" only in category 0, where it hits it earlier.
    const early = noisyScores(5, (f) => 302 + 80 * f);
    const late = noisyScores(5, (f) => (f % 3 === 0 ? 300 + 80 * f : null));
    const result = nestedCrossValidate(
      layouts,
      [
        { name: "early", scores: early },
        { name: "late", scores: late },
      ],
      standard,
    );
    expect(result.folds.map((fold) => fold.picked)).toEqual(["early", "early", "early"]);
    expect(result.final.picked).toBe("early");
    expect(result.final.tuning).toBeCloseTo(scoreCorpus(layouts, early, standard).normalized, 10);
    expect(result.nested).toBeLessThanOrEqual(100);
  });
});

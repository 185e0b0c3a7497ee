import { describe, expect, it } from "vitest";

import type { NabSeries } from "./corpus";
import { perturbCorpus } from "./perturb";
import { buildLayout } from "./scorer";

const timestamps = Array.from({ length: 4000 }, (_, i) => i * 300_000);
const series: NabSeries = {
  name: "cat/file.csv",
  category: "cat",
  timestamps,
  values: timestamps.map((_, i) => 10 * Math.sin(i / 50)),
  layout: buildLayout("cat/file.csv", timestamps, [[timestamps[2000] ?? 0, timestamps[2100] ?? 0]]),
};

describe("perturbCorpus", () => {
  it("adds noise of the asked size relative to each file's spread, keeping times and labels", () => {
    const [copy] = perturbCorpus([series], 0.1, 1);
    if (copy === undefined) throw new Error("no copy");
    expect(copy.timestamps).toBe(series.timestamps);
    expect(copy.layout).toBe(series.layout);
    const diffs = copy.values.map((v, i) => v - (series.values[i] ?? 0));
    const sd = (xs: number[]): number => {
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
    };
    expect(sd(diffs) / sd([...series.values])).toBeGreaterThan(0.09);
    expect(sd(diffs) / sd([...series.values])).toBeLessThan(0.11);
  });

  it("gives the same copy for the same seed and another for another seed", () => {
    const a = perturbCorpus([series], 0.05, 3)[0]?.values;
    expect(perturbCorpus([series], 0.05, 3)[0]?.values).toEqual(a);
    expect(perturbCorpus([series], 0.05, 4)[0]?.values).not.toEqual(a);
  });
});

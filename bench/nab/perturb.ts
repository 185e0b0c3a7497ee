// Noisy copies of the NAB files: a cheap proxy for data the detector was not designed on. Each
// value gets Gaussian noise of `level` times its file's standard deviation; timestamps and
// labelled windows stay, so the anomalies are the same and only the noise around them is new.
import type { NabSeries } from "./corpus";

/** Deterministic uniform generator (LCG), so a seed always gives the same copy. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state + 0.5) / 4294967296;
  };
}

export function perturbCorpus(corpus: readonly NabSeries[], level: number, seed: number): NabSeries[] {
  const random = createRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  return corpus.map((series) => {
    const n = series.values.length;
    const mean = series.values.reduce((sum, v) => sum + v, 0) / Math.max(1, n);
    const variance = series.values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, n);
    const scale = level * Math.sqrt(variance);
    return { ...series, values: series.values.map((v) => v + scale * gaussian()) };
  });
}

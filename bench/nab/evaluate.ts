// Runs detectors over NAB series and scores them; also the overfitting cross-checks.
import type { NabSeries } from "./corpus";
import { PROFILES, scoreCorpus, type Profile, type ProfileResult } from "./scorer";

/** Scores one series row by row; a fresh instance per series. */
export type SeriesScorer = (series: NabSeries) => Float64Array;

export function runScorer(corpus: readonly NabSeries[], scorer: SeriesScorer): Float64Array[] {
  return corpus.map((series) => scorer(series));
}

export function scoreAllProfiles(
  corpus: readonly NabSeries[],
  scores: readonly Float64Array[],
): ProfileResult[] {
  const layouts = corpus.map((s) => s.layout);
  return PROFILES.map((profile) => scoreCorpus(layouts, scores, profile));
}

export function scoreSubset(
  corpus: readonly NabSeries[],
  scores: readonly Float64Array[],
  indices: readonly number[],
  profile: Profile,
): number {
  const layouts = indices.flatMap((i) => (corpus[i] === undefined ? [] : [corpus[i].layout]));
  const subset = indices.flatMap((i) => (scores[i] === undefined ? [] : [scores[i]]));
  return scoreCorpus(layouts, subset, profile).normalized;
}

/** Stable split of file names into two halves (FNV-1a hash parity), independent of file order. */
export function splitHalves(corpus: readonly NabSeries[]): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  corpus.forEach((series, i) => {
    let hash = 2166136261;
    for (let k = 0; k < series.name.length; k++) hash = Math.imul(hash ^ series.name.charCodeAt(k), 16777619);
    ((hash >>> 0) % 2 === 0 ? a : b).push(i);
  });
  return [a, b];
}

export interface CrossCheck {
  /** Per direction: the variant picked on one half and its score on the other half. */
  halves: { tunedOn: string; picked: string; tuned: number; heldOut: number }[];
  /** Every file scored with the variant picked without its category; one threshold over all. */
  leaveOneCategoryOut: number;
  picks: Record<string, string>;
}

/**
 * Picks the best parameter variant (standard profile) on part of the files and scores it on the
 * rest. `variantScores[v][f]` are the scores of variant v on file f.
 */
export function crossCheck(
  corpus: readonly NabSeries[],
  variantNames: readonly string[],
  variantScores: readonly Float64Array[][],
): CrossCheck {
  const standard = PROFILES[0];
  if (standard === undefined) throw new Error("no profiles");
  const all = corpus.map((_, i) => i);
  const pick = (indices: number[]): number => {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    variantScores.forEach((scores, v) => {
      const s = scoreSubset(corpus, scores, indices, standard);
      if (s > bestScore) {
        bestScore = s;
        best = v;
      }
    });
    return best;
  };
  const [a, b] = splitHalves(corpus);
  const halves = [
    { from: a, to: b, label: "A" },
    { from: b, to: a, label: "B" },
  ].map(({ from, to, label }) => {
    const v = pick(from);
    const scores = variantScores[v] ?? [];
    return {
      tunedOn: label,
      picked: variantNames[v] ?? "",
      tuned: scoreSubset(corpus, scores, from, standard),
      heldOut: scoreSubset(corpus, scores, to, standard),
    };
  });
  const categories = [...new Set(corpus.map((s) => s.category))];
  const combined: Float64Array[] = new Array<Float64Array>(corpus.length);
  const picks: Record<string, string> = {};
  for (const category of categories) {
    const v = pick(all.filter((i) => corpus[i]?.category !== category));
    picks[category] = variantNames[v] ?? "";
    all.forEach((i) => {
      const scores = variantScores[v]?.[i];
      if (corpus[i]?.category === category && scores !== undefined) combined[i] = scores;
    });
  }
  return { halves, leaveOneCategoryOut: scoreSubset(corpus, combined, all, standard), picks };
}

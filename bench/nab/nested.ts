// Nested cross-validation by NAB category. The outer loop holds out one category; the inner loop
// picks a candidate (method or parameter set) by leave-one-category-out over the remaining
// categories only, then the alarm threshold on all of them, and the held-out category is scored
// with both. No choice sees the category it is scored on.
import { normalizeScore, scoreCorpus, scoreFile, type Profile, type ScoringLayout } from "./scorer";

/** One candidate's scores, per file in corpus order. */
export interface Candidate {
  readonly name: string;
  readonly scores: readonly Float64Array[];
}

/**
 * Threshold sweeps over any subset of files without re-sorting: the scorable rows of every file
 * are sorted once by descending score.
 */
export interface Sweeper {
  best(included: readonly boolean[], profile: Profile): { threshold: number; raw: number };
}

export function createSweeper(layouts: readonly ScoringLayout[], scores: readonly Float64Array[]): Sweeper {
  const fileOf: number[] = [];
  const rowOf: number[] = [];
  const scoreOf: number[] = [];
  const windowBase: number[] = [];
  let totalWindows = 0;
  layouts.forEach((layout, file) => {
    windowBase.push(totalWindows);
    let maxWindow = -1;
    for (const w of layout.windowOf) if (w > maxWindow) maxWindow = w;
    totalWindows += maxWindow + 1;
    const fileScores = scores[file];
    if (fileScores === undefined) throw new Error(`no scores for ${layout.name}`);
    for (let row = 0; row < layout.rows; row++) {
      if (layout.windowOf[row] === -2) continue;
      fileOf.push(file);
      rowOf.push(row);
      scoreOf.push(fileScores[row] ?? 0);
    }
  });
  const order = Uint32Array.from(scoreOf.keys()).sort((a, b) => (scoreOf[b] ?? 0) - (scoreOf[a] ?? 0));
  return {
    best(included, profile) {
      const best = new Float64Array(totalWindows).fill(-profile.fn);
      let raw = 0;
      layouts.forEach((layout, file) => {
        if (included[file] === true) raw -= profile.fn * layout.windowCount;
      });
      let bestRaw = raw;
      let bestThreshold = Number.POSITIVE_INFINITY;
      // Ties are one threshold: a cut is taken only before a new score value (and after the last).
      let previous = Number.NaN;
      for (let k = 0; k < order.length; k++) {
        const i = order[k] ?? 0;
        const file = fileOf[i] ?? 0;
        if (included[file] !== true) continue;
        const layout = layouts[file];
        if (layout === undefined) continue;
        const score = scoreOf[i] ?? 0;
        if (score !== previous && raw > bestRaw) {
          bestRaw = raw;
          bestThreshold = previous;
        }
        previous = score;
        const row = rowOf[i] ?? 0;
        const window = layout.windowOf[row] ?? -1;
        const weight = layout.unweighted[row] ?? 0;
        if (window < 0) raw += weight * profile.fp;
        else {
          const slot = (windowBase[file] ?? 0) + window;
          const credit = weight * profile.tp;
          const old = best[slot] ?? -profile.fn;
          if (credit > old) {
            raw += credit - old;
            best[slot] = credit;
          }
        }
      }
      if (raw > bestRaw) {
        bestRaw = raw;
        bestThreshold = previous;
      }
      return { threshold: bestThreshold, raw: bestRaw };
    },
  };
}

export interface OuterFold {
  readonly category: string;
  readonly picked: string;
  readonly threshold: number;
  /** Raw NAB score of the held-out category's files at that threshold, and its windows. */
  readonly raw: number;
  readonly windows: number;
  readonly detected: number;
  readonly falsePositives: number;
}

export interface NestedResult {
  /** Every file scored by the candidate and threshold chosen without its category (0..100). */
  readonly nested: number;
  /**
   * The same candidates per category, but one threshold optimised over all files' output as NAB
   * does when it scores a detector on a set (the threshold then sees the scored files).
   */
  readonly nestedNabThreshold: number;
  readonly folds: readonly OuterFold[];
  /** The same procedure run on every category: what ships, and its score on these files. */
  readonly final: { picked: string; threshold: number; tuning: number };
}

function categoriesOf(layouts: readonly ScoringLayout[]): string[] {
  return [...new Set(layouts.map((l) => l.category))];
}

/** Leave-one-category-out score of one candidate over the files in `within` (thresholds from the rest). */
function innerScore(
  layouts: readonly ScoringLayout[],
  candidate: Candidate,
  sweeper: Sweeper,
  within: readonly string[],
  profile: Profile,
): number {
  let raw = 0;
  let windows = 0;
  for (const held of within) {
    const train = layouts.map((l) => l.category !== held && within.includes(l.category));
    const { threshold } = sweeper.best(train, profile);
    layouts.forEach((layout, file) => {
      if (layout.category !== held) return;
      raw += scoreFile(layout, candidate.scores[file] ?? [], threshold, profile).raw;
      windows += layout.windowCount;
    });
  }
  return normalizeScore(raw, windows, profile);
}

/** Picks the candidate with the best inner leave-one-category-out score over `within`. */
function pick(
  layouts: readonly ScoringLayout[],
  candidates: readonly Candidate[],
  sweepers: readonly Sweeper[],
  within: readonly string[],
  profile: Profile,
): { index: number; threshold: number } {
  let index = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  candidates.forEach((candidate, c) => {
    const sweeper = sweepers[c];
    if (sweeper === undefined) return;
    const score = innerScore(layouts, candidate, sweeper, within, profile);
    if (score > bestScore) {
      bestScore = score;
      index = c;
    }
  });
  const train = layouts.map((l) => within.includes(l.category));
  const threshold = sweepers[index]?.best(train, profile).threshold ?? Number.POSITIVE_INFINITY;
  return { index, threshold };
}

export function nestedCrossValidate(
  layouts: readonly ScoringLayout[],
  candidates: readonly Candidate[],
  profile: Profile,
): NestedResult {
  if (candidates.length === 0) throw new Error("no candidates");
  const sweepers = candidates.map((c) => createSweeper(layouts, c.scores));
  const categories = categoriesOf(layouts);
  const folds: OuterFold[] = [];
  const combined: Float64Array[] = layouts.map((l) => new Float64Array(l.rows));
  for (const held of categories) {
    const within = categories.filter((c) => c !== held);
    const { index, threshold } = pick(layouts, candidates, sweepers, within, profile);
    const candidate = candidates[index];
    layouts.forEach((layout, file) => {
      const scores = candidate?.scores[file];
      if (layout.category === held && scores !== undefined) combined[file] = scores;
    });
    let raw = 0;
    let windows = 0;
    let detected = 0;
    let falsePositives = 0;
    layouts.forEach((layout, file) => {
      if (layout.category !== held) return;
      const result = scoreFile(layout, candidate?.scores[file] ?? [], threshold, profile);
      raw += result.raw;
      windows += result.windows;
      detected += result.detected;
      falsePositives += result.falsePositives;
    });
    folds.push({
      category: held,
      picked: candidate?.name ?? "",
      threshold,
      raw,
      windows,
      detected,
      falsePositives,
    });
  }
  const raw = folds.reduce((s, f) => s + f.raw, 0);
  const windows = folds.reduce((s, f) => s + f.windows, 0);
  const chosen = pick(layouts, candidates, sweepers, categories, profile);
  const all = layouts.map(() => true);
  const tuningRaw = sweepers[chosen.index]?.best(all, profile).raw ?? 0;
  return {
    nested: normalizeScore(raw, windows, profile),
    nestedNabThreshold: scoreCorpus(layouts, combined, profile).normalized,
    folds,
    final: {
      picked: candidates[chosen.index]?.name ?? "",
      threshold: chosen.threshold,
      tuning: normalizeScore(tuningRaw, windows, profile),
    },
  };
}

// NAB v1.1 scoring rules (see ../shared/datasets/nab/README.md), pure functions, no I/O.

export interface Profile {
  readonly name: string;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export const PROFILES: readonly Profile[] = [
  { name: "standard", tp: 1.0, fp: 0.11, fn: 1.0 },
  { name: "reward_low_FP_rate", tp: 1.0, fp: 0.22, fn: 1.0 },
  { name: "reward_low_FN_rate", tp: 1.0, fp: 0.11, fn: 2.0 },
];

export const PROBATION_FRACTION = 0.15;

/** A series' row layout relative to its labelled windows, independent of any detector. */
export interface ScoringLayout {
  readonly name: string;
  readonly category: string;
  readonly rows: number;
  /** Number of windows that contain at least one scorable row. */
  readonly windowCount: number;
  /** Per row: -2 probationary, -1 outside every window, else the window index. */
  readonly windowOf: Int32Array;
  /** Per row: unweighted sweep score (TP credit in a window, <= 0 FP cost outside). */
  readonly unweighted: Float64Array;
}

export function getProbationaryLength(rows: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * rows), PROBATION_FRACTION * 5000);
}

export function scaleSigmoid(relativePosition: number): number {
  if (relativePosition >= 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
}

/** Parses `2014-04-01 00:00:00` or `2014-04-01 00:00:00.000000` as UTC epoch ms. */
export function parseNabTimestamp(text: string): number {
  const iso = text.trim().replace(" ", "T");
  const ms = Date.parse(iso.endsWith("Z") ? iso : `${iso}Z`);
  if (!Number.isFinite(ms)) throw new Error(`bad timestamp: ${text}`);
  return ms;
}

/**
 * Builds the per-row layout the way NAB's sweeper does: a window opens at the first row whose
 * time equals its start, its right edge is the first row with the end time, and a false positive
 * after a window is weighted by its distance past that window relative to the window's width.
 */
export function buildLayout(
  name: string,
  timestamps: readonly number[],
  windows: readonly (readonly [number, number])[],
): ScoringLayout {
  const rows = timestamps.length;
  const probation = getProbationaryLength(rows);
  const maxTp = scaleSigmoid(-1.0);
  const windowOf = new Int32Array(rows);
  const unweighted = new Float64Array(rows);
  const pending = [...windows];
  const firstIndex = new Map<number, number>();
  timestamps.forEach((t, i) => {
    if (!firstIndex.has(t)) firstIndex.set(t, i);
  });
  const scorableWindows = new Set<number>();
  let windowIndex = -1;
  let current: { end: number; right: number; width: number; id: number } | undefined;
  let previous: { right: number; width: number } | undefined;

  for (let i = 0; i < rows; i++) {
    const t = timestamps[i] ?? Number.NaN;
    const next = pending[0];
    if (next !== undefined && t === next[0]) {
      pending.shift();
      windowIndex += 1;
      const right = firstIndex.get(next[1]) ?? i;
      const left = firstIndex.get(next[0]) ?? i;
      current = { end: next[1], right, width: right - left + 1, id: windowIndex };
    }
    if (current !== undefined) {
      const position = -(current.right - i + 1) / current.width;
      unweighted[i] = scaleSigmoid(position) / maxTp;
      windowOf[i] = current.id;
    } else {
      const position = previous === undefined ? 3.0 : Math.abs(previous.right - i) / (previous.width - 1);
      unweighted[i] = scaleSigmoid(position);
      windowOf[i] = -1;
    }
    if (i < probation) windowOf[i] = -2;
    else if (current !== undefined) scorableWindows.add(current.id);
    if (current !== undefined && t === current.end) {
      previous = { right: i, width: current.width };
      current = undefined;
    }
  }
  const slash = name.indexOf("/");
  const category = slash >= 0 ? name.slice(0, slash) : "";
  return { name, category, rows, windowCount: scorableWindows.size, windowOf, unweighted };
}

export interface FileResult {
  readonly name: string;
  readonly category: string;
  readonly raw: number;
  readonly windows: number;
  readonly detected: number;
  readonly falsePositives: number;
}

export interface ProfileResult {
  readonly profile: string;
  readonly threshold: number;
  readonly raw: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  /** 0 for the null detector, 100 for the perfect one. */
  readonly normalized: number;
  readonly files: readonly FileResult[];
}

interface Scorable {
  score: number;
  file: number;
  row: number;
}

/**
 * Sweeps every distinct score as a threshold (a row is a detection when score >= threshold)
 * over the whole set and keeps the best total, as NAB's optimiser does.
 */
export function findBestThreshold(
  layouts: readonly ScoringLayout[],
  scores: readonly ArrayLike<number>[],
  profile: Profile,
): { threshold: number; raw: number } {
  const points: Scorable[] = [];
  const windowBase: number[] = [];
  let totalWindows = 0;
  layouts.forEach((layout, file) => {
    windowBase.push(totalWindows);
    totalWindows += maxWindowId(layout) + 1;
    const fileScores = scores[file];
    if (fileScores === undefined) throw new Error(`no scores for ${layout.name}`);
    for (let row = 0; row < layout.rows; row++) {
      if (layout.windowOf[row] === -2) continue;
      points.push({ score: fileScores[row] ?? 0, file, row });
    }
  });
  points.sort((a, b) => b.score - a.score);
  const best = new Float64Array(totalWindows).fill(-profile.fn);
  const nullRaw = -profile.fn * layouts.reduce((sum, l) => sum + l.windowCount, 0);
  let raw = nullRaw;
  let bestRaw = nullRaw;
  let bestThreshold = Number.POSITIVE_INFINITY;
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const layout = point === undefined ? undefined : layouts[point.file];
    if (point === undefined || layout === undefined) continue;
    const window = layout.windowOf[point.row] ?? -1;
    const weight = layout.unweighted[point.row] ?? 0;
    if (window < 0) {
      raw += weight * profile.fp;
    } else {
      const slot = (windowBase[point.file] ?? 0) + window;
      const credit = weight * profile.tp;
      const old = best[slot] ?? -profile.fn;
      if (credit > old) {
        raw += credit - old;
        best[slot] = credit;
      }
    }
    const nextScore = points[i + 1]?.score;
    if (nextScore !== point.score && raw > bestRaw) {
      bestRaw = raw;
      bestThreshold = point.score;
    }
  }
  return { threshold: bestThreshold, raw: bestRaw };
}

function maxWindowId(layout: ScoringLayout): number {
  let max = -1;
  for (const w of layout.windowOf) if (w > max) max = w;
  return max;
}

/** Scores one file at a fixed threshold. */
export function scoreFile(
  layout: ScoringLayout,
  scores: ArrayLike<number>,
  threshold: number,
  profile: Profile,
): FileResult {
  const best = new Map<number, number>();
  let fpCost = 0;
  let falsePositives = 0;
  for (let row = 0; row < layout.rows; row++) {
    const window = layout.windowOf[row] ?? -2;
    if (window === -2 || (scores[row] ?? 0) < threshold) continue;
    const weight = layout.unweighted[row] ?? 0;
    if (window === -1) {
      fpCost += weight * profile.fp;
      falsePositives += 1;
    } else {
      best.set(window, Math.max(best.get(window) ?? Number.NEGATIVE_INFINITY, weight * profile.tp));
    }
  }
  let tpCredit = 0;
  for (const credit of best.values()) tpCredit += credit;
  const missed = layout.windowCount - best.size;
  return {
    name: layout.name,
    category: layout.category,
    raw: tpCredit + fpCost - missed * profile.fn,
    windows: layout.windowCount,
    detected: best.size,
    falsePositives,
  };
}

export function normalizeScore(raw: number, windows: number, profile: Profile): number {
  const nullRaw = -profile.fn * windows;
  const perfectRaw = profile.tp * windows;
  if (perfectRaw === nullRaw) return 0;
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}

/** Optimises the threshold for the profile over the whole set, then scores every file with it. */
export function scoreCorpus(
  layouts: readonly ScoringLayout[],
  scores: readonly ArrayLike<number>[],
  profile: Profile,
): ProfileResult {
  const { threshold } = findBestThreshold(layouts, scores, profile);
  const files = layouts.map((layout, i) => scoreFile(layout, scores[i] ?? [], threshold, profile));
  const raw = files.reduce((sum, f) => sum + f.raw, 0);
  const windows = layouts.reduce((sum, l) => sum + l.windowCount, 0);
  return {
    profile: profile.name,
    threshold,
    raw,
    nullRaw: -profile.fn * windows,
    perfectRaw: profile.tp * windows,
    normalized: normalizeScore(raw, windows, profile),
    files,
  };
}

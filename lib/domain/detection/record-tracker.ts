// Range-novelty ("record") detection at several smoothing scales: an anomaly pushes the value, or
// a smoothed copy of it, past the range seen so far. Records are absorbed only partly, so a
// sustained excursion keeps accumulating excess instead of resetting the range on every step.

export interface RecordScale {
  /** EWMA weight of the newest value (1 = raw value). */
  readonly alpha: number;
  /** Fraction of a new record absorbed into the range (1 = hard record). */
  readonly absorb: number;
}

/**
 * Two views of the value: a lightly smoothed one (weight 0.5, about the last 3 points) for bursts
 * and a slow one (weight 0.05, about the last 40 points) for sustained shifts. Single-point spikes
 * are the residual tail model's job. A raw-value view and a third, middle scale changed nothing on
 * NAB's tuning files, so they went (fewer arbitrary choices).
 */
export const RECORD_SCALES: readonly RecordScale[] = [
  { alpha: 0.5, absorb: 0.3 },
  { alpha: 0.05, absorb: 0.3 },
];

export interface RecordTracker {
  smooth: number[];
  low: number[];
  high: number[];
}

/**
 * Range excess credited per unit of excess measured in noise standard deviations of that scale,
 * so a record set by ordinary noise in a short or quiet history stays small.
 */
const NOISE_CREDIT = 0.05;

/** Which of the four scales of trackers saved before issue 16 (1, 0.5, 0.2, 0.05) are today's. */
const FORMER_SCALES_KEPT = [1, 3];

/**
 * A stored tracker in today's layout, or null when it has neither layout. A tracker saved with the
 * former four scales keeps its 0.5 and 0.05 ones: each scale evolves on its own, so they are
 * exactly what today's detector would have learned.
 */
export function adoptStoredRecords(tracker: RecordTracker): RecordTracker | null {
  const length = tracker.smooth.length;
  if (tracker.low.length !== length || tracker.high.length !== length) return null;
  if (length === RECORD_SCALES.length) return tracker;
  if (length !== 4) return null;
  const keep = (values: number[]): number[] => FORMER_SCALES_KEPT.map((i) => values[i] ?? 0);
  return { smooth: keep(tracker.smooth), low: keep(tracker.low), high: keep(tracker.high) };
}

export function createRecordTracker(value: number, scales: readonly RecordScale[]): RecordTracker {
  return { smooth: scales.map(() => value), low: scales.map(() => value), high: scales.map(() => value) };
}

/**
 * Returns the largest excess past the known range, as a fraction of that range, over all scales;
 * 0 when every scale stays inside its range.
 * `forget` pulls the range towards the current level so old extremes fade (0 = never).
 */
export function updateRecordTracker(
  tracker: RecordTracker,
  value: number,
  scales: readonly RecordScale[],
  forget: number,
  noiseSd: number,
): { excess: number; side: number } {
  let best = 0;
  let side = 0;
  for (let k = 0; k < scales.length; k++) {
    const scale = scales[k];
    if (scale === undefined) continue;
    const previous = tracker.smooth[k] ?? value;
    const smooth = previous + scale.alpha * (value - previous);
    let low = tracker.low[k] ?? smooth;
    let high = tracker.high[k] ?? smooth;
    const range = high - low;
    if (range > 0) {
      const beyond = Math.max(smooth - high, low - smooth);
      const noise = noiseSd * Math.sqrt(scale.alpha / (2 - scale.alpha));
      const excess = Math.min(
        beyond / range,
        noise > 0 ? (NOISE_CREDIT * beyond) / noise : Number.POSITIVE_INFINITY,
      );
      if (excess > best) {
        best = excess;
        side = smooth > high ? 1 : -1;
      }
    }
    if (smooth < low) low += scale.absorb * (smooth - low);
    if (smooth > high) high += scale.absorb * (smooth - high);
    if (forget > 0) {
      low += forget * (smooth - low);
      high += forget * (smooth - high);
    }
    tracker.smooth[k] = smooth;
    tracker.low[k] = low;
    tracker.high[k] = high;
  }
  return { excess: best, side };
}

// Range-novelty ("record") detection at several smoothing scales: an anomaly pushes the value, or
// a smoothed copy of it, past the range seen so far. Records are absorbed only partly, so a
// sustained excursion keeps accumulating excess instead of resetting the range on every step.

export interface RecordScale {
  /** EWMA weight of the newest value (1 = raw value). */
  readonly alpha: number;
  /** Fraction of a new record absorbed into the range (1 = hard record). */
  readonly absorb: number;
}

export const RECORD_SCALES: readonly RecordScale[] = [
  { alpha: 1, absorb: 1 },
  { alpha: 0.5, absorb: 0.3 },
  { alpha: 0.2, absorb: 0.3 },
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

export function createRecordTracker(value: number, scales: readonly RecordScale[]): RecordTracker {
  return { smooth: scales.map(() => value), low: scales.map(() => value), high: scales.map(() => value) };
}

/**
 * Returns the largest excess past the known range, as a fraction of that range, over all scales;
 * 0 when every scale stays inside its range plus `tolerance`.
 * `forget` pulls the range towards the current level so old extremes fade (0 = never).
 */
export function updateRecordTracker(
  tracker: RecordTracker,
  value: number,
  scales: readonly RecordScale[],
  tolerance: number,
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
      if (excess > tolerance && excess > best) {
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

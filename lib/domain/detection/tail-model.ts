// Online tail model for a non-negative statistic: a decaying histogram of log1p(stat) with an
// exponential tail fitted above a high quantile, so surprise keeps growing past the largest value
// seen and heavy-tailed series calibrate themselves.

export const TAIL_BINS = 160;
const BIN_WIDTH = 0.05;
const TAIL_FRACTION = 0.05;
const MIN_EXCESS = 0.05;
const RESCALE_AT = 1e6;

export interface TailModel {
  counts: number[];
  total: number;
  /** Weight of the next observation; grows instead of decaying every bin each step. */
  weight: number;
  /** Highest bin ever filled, so a surprise skips the empty bins above it (absent in older states). */
  top?: number;
}

export function createTailModel(): TailModel {
  return { counts: new Array<number>(TAIL_BINS).fill(0), total: 0, weight: 1, top: 0 };
}

function binOf(level: number): number {
  return Math.min(TAIL_BINS - 1, Math.max(0, Math.floor(level / BIN_WIDTH)));
}

export function addToTailModel(model: TailModel, stat: number, memory: number): void {
  const bin = binOf(Math.log1p(Math.max(0, stat)));
  model.top = Math.max(model.top ?? highestFilledBin(model), bin);
  model.counts[bin] = (model.counts[bin] ?? 0) + model.weight;
  model.total += model.weight;
  model.weight /= 1 - 1 / memory;
  if (model.weight > RESCALE_AT) {
    const k = 1 / model.weight;
    for (let i = 0; i < TAIL_BINS; i++) model.counts[i] = (model.counts[i] ?? 0) * k;
    model.total *= k;
    model.weight = 1;
  }
}

function highestFilledBin(model: TailModel): number {
  let bin = TAIL_BINS - 1;
  while (bin > 0 && (model.counts[bin] ?? 0) === 0) bin--;
  return bin;
}

/** -log10 P(stat' >= stat) under the model; 0 when the model is empty. */
export function computeTailSurprise(model: TailModel, stat: number): number {
  if (model.total <= 0) return 0;
  const level = Math.log1p(Math.max(0, stat));
  const levelBin = binOf(level);
  const tailMass = TAIL_FRACTION * model.total;
  const counts = model.counts;
  // One pass from the top bin down: the tail's mass and first moment until the tail edge, and the
  // mass at or above the statistic's bin, which is all that a statistic below the edge needs.
  let mass = 0;
  let moment = 0;
  let above = 0;
  let edgeBin = -1;
  const top = Math.max(0, Math.min(TAIL_BINS - 1, Math.floor(model.top ?? TAIL_BINS - 1)));
  for (let i = top; i >= 0; i--) {
    const count = counts[i] ?? 0;
    if (edgeBin < 0) {
      mass += count;
      moment += count * (i + 0.5) * BIN_WIDTH;
      if (mass >= tailMass || i === 0) edgeBin = i;
    }
    above += count;
    if (edgeBin >= 0 && i <= levelBin) break;
  }
  const edge = edgeBin * BIN_WIDTH;
  if (level < edge) return -Math.log10(Math.min(1, above / model.total));
  const meanExcess = Math.max(MIN_EXCESS, moment / Math.max(mass, 1e-12) - edge);
  const tailProbability = Math.min(1, mass / model.total);
  return -Math.log10(tailProbability) + (level - edge) / (meanExcess * Math.LN10);
}

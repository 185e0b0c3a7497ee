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
}

export function createTailModel(): TailModel {
  return { counts: new Array<number>(TAIL_BINS).fill(0), total: 0, weight: 1 };
}

function binOf(level: number): number {
  return Math.min(TAIL_BINS - 1, Math.max(0, Math.floor(level / BIN_WIDTH)));
}

export function addToTailModel(model: TailModel, stat: number, memory: number): void {
  const bin = binOf(Math.log1p(Math.max(0, stat)));
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

/** -log10 P(stat' >= stat) under the model; 0 when the model is empty. */
export function computeTailSurprise(model: TailModel, stat: number): number {
  if (model.total <= 0) return 0;
  const level = Math.log1p(Math.max(0, stat));
  const tailMass = TAIL_FRACTION * model.total;
  let mass = 0;
  let edgeBin = TAIL_BINS - 1;
  for (; edgeBin >= 0; edgeBin--) {
    mass += model.counts[edgeBin] ?? 0;
    if (mass >= tailMass || edgeBin === 0) break;
  }
  const edge = edgeBin * BIN_WIDTH;
  if (level < edge) {
    let above = 0;
    for (let i = binOf(level); i < TAIL_BINS; i++) above += model.counts[i] ?? 0;
    return -Math.log10(Math.min(1, above / model.total));
  }
  let excess = 0;
  for (let i = edgeBin; i < TAIL_BINS; i++) excess += (model.counts[i] ?? 0) * (i + 0.5) * BIN_WIDTH;
  const meanExcess = Math.max(MIN_EXCESS, excess / Math.max(mass, 1e-12) - edge);
  const tailProbability = Math.min(1, mass / model.total);
  return -Math.log10(tailProbability) + (level - edge) / (meanExcess * Math.LN10);
}

// Contextual novelty in the spirit of CAD OSE (Contextual Anomaly Detector): values are quantised
// into a few levels over an adaptive range, the last few levels form a context, and every
// (context suffix -> current level) transition is remembered in a hashed bitset. The raw novelty
// of a point is the fraction of its sub-patterns (suffixes of order 1..CONTEXT_ORDERS) never seen
// before, so repeated patterns score 0 and a new shape scores close to 1. A Numenta-style
// "likelihood" turns raw novelty into a surprise: the tail probability of its short-window mean
// under the series' own recent mean and variance of that mean.

/** Quantisation levels of the value range. */
export const CONTEXT_LEVELS = 8;
/** Longest context (previous levels) whose transition to the current level is checked. */
export const CONTEXT_ORDERS = 6;
/** Bits of the seen-pattern table, 2^14 = 16,384 bits in 512 32-bit words. */
const TABLE_BITS = 14;
const TABLE_WORDS = (1 << TABLE_BITS) >>> 5;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
/** Points per table generation; a pattern is forgotten after one to two generations unseen. */
const GENERATION = 10_000;
/** EWMA weight of the short-window mean of raw novelty. */
const SHORT_ALPHA = 0.1;
/** EWMA weight of the running mean and variance of that short-window mean. */
const LONG_ALPHA = 0.005;
/** Variance floor, so a series whose patterns almost always repeat is not over-sensitive. */
const MIN_VARIANCE = 2e-3;

export interface ContextModel {
  /** Adaptive quantisation range: the running minimum and maximum of the values. */
  low: number;
  high: number;
  /** Most recent levels, newest first (at most CONTEXT_ORDERS). */
  recent: number[];
  /** Seen-pattern bitsets of the current and the previous generation (32-bit words). */
  seen: number[];
  seenOld: number[];
  /** Points learned into the current generation. */
  age: number;
  /** Short-window mean of raw novelty, and the running mean and variance of it. */
  short: number;
  mean: number;
  variance: number;
}

export function createContextModel(value: number): ContextModel {
  return {
    low: value,
    high: value,
    recent: [],
    seen: new Array<number>(TABLE_WORDS).fill(0),
    seenOld: new Array<number>(TABLE_WORDS).fill(0),
    age: 0,
    short: 0,
    mean: 0,
    variance: 0,
  };
}

function levelOf(model: ContextModel, value: number): number {
  const range = model.high - model.low;
  if (!(range > 0)) return 0;
  const level = Math.floor(((value - model.low) / range) * CONTEXT_LEVELS);
  return Math.max(0, Math.min(CONTEXT_LEVELS - 1, level));
}

function mix(hash: number, x: number): number {
  let h = Math.imul(hash ^ x, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
}

/** Whether pattern `index` was seen in either generation; marks it seen in the current one. */
function testAndSet(model: ContextModel, index: number): boolean {
  const word = index >>> 5;
  const bit = 1 << (index & 31);
  const current = model.seen[word] ?? 0;
  const seen = (current & bit) !== 0 || ((model.seenOld[word] ?? 0) & bit) !== 0;
  model.seen[word] = current | bit;
  return seen;
}

/** Learns `value` and returns its raw novelty in [0, 1]: the fraction of sub-patterns never seen. */
export function updateContextNovelty(model: ContextModel, value: number): number {
  if (value < model.low) model.low = value;
  if (value > model.high) model.high = value;
  const level = levelOf(model, value);
  let hash = mix(0x2545f491, level);
  let novel = 0;
  const orders = model.recent.length;
  for (let k = 0; k < orders; k++) {
    hash = mix(hash, (model.recent[k] ?? 0) + 1);
    if (!testAndSet(model, (hash ^ Math.imul(k + 1, 0x27d4eb2f)) & TABLE_MASK)) novel += 1;
  }
  model.recent.unshift(level);
  if (model.recent.length > CONTEXT_ORDERS) model.recent.length = CONTEXT_ORDERS;
  model.age += 1;
  if (model.age >= GENERATION) {
    model.seenOld = model.seen;
    model.seen = new Array<number>(TABLE_WORDS).fill(0);
    model.age = 0;
  }
  return novel / CONTEXT_ORDERS;
}

/**
 * Surprise (-log10 probability, normal approximation) of the short-window mean of raw novelty
 * against its running mean and variance; then learns it. 0 when novelty is at or below usual.
 */
export function scoreContextNovelty(model: ContextModel, raw: number): number {
  model.short += SHORT_ALPHA * (raw - model.short);
  const delta = model.short - model.mean;
  const z = delta / Math.sqrt(Math.max(model.variance, MIN_VARIANCE));
  model.mean += LONG_ALPHA * delta;
  model.variance = (1 - LONG_ALPHA) * (model.variance + LONG_ALPHA * delta * delta);
  return z > 0 ? normalTailSurprise(z) : 0;
}

/** -log10 Q(z) for z >= 0, with the Börjesson–Sundberg approximation of the normal tail Q. */
function normalTailSurprise(z: number): number {
  const a = 0.339;
  const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const q = density / ((1 - a) * z + a * Math.sqrt(z * z + 5.51));
  return -Math.log10(Math.min(1, Math.max(q, 1e-300)));
}

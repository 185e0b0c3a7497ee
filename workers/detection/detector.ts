import { computeNormalSurprise } from "./tail";
import { addToTailModel, computeTailSurprise, createTailModel, type TailModel } from "./tail-model";

export interface DetectorOptions {
  warmup: number;
  predAlpha: number;
  scaleAlpha: number;
  statAlpha: number;
  shiftLen: number;
  refractory: number;
  rangeTolerance: number;
  surpriseScale: number;
  spatialWeight: number;
  seasonBins: number;
  hwAlpha: number;
  hwGamma: number;
  useSeason: number;
  tailMemory: number;
  calib: number;
  alarmSurprise: number;
  damp: number;
  useVar: number;
  useShift: number;
  densityAlpha: number;
  densityCap: number;
  densityWeight: number;
}

export const DEFAULT_OPTIONS: DetectorOptions = {
  warmup: 150,
  predAlpha: 0.3,
  scaleAlpha: 0.01,
  statAlpha: 0.002,
  shiftLen: 6,
  refractory: 100,
  rangeTolerance: 0.1,
  surpriseScale: 10,
  spatialWeight: 2,
  seasonBins: 288,
  hwAlpha: 0.1,
  hwGamma: 0.2,
  useSeason: 1,
  tailMemory: 3000,
  calib: 1,
  alarmSurprise: 3,
  damp: 0.5,
  useVar: 0,
  useShift: 0,
  densityAlpha: 0.02,
  densityCap: 4,
  densityWeight: 1,
};

interface Moments {
  mean: number;
  var: number;
}

export interface DetectorState {
  n: number;
  pred: number;
  errVar: number;
  zRing: number[];
  spike: Moments;
  shift: Moments;
  min: number;
  max: number;
  sinceAlarm: number;
  hwLevel: number;
  season: number[];
  seasonSeen: number[];
  hwErrVar: number;
  firstTs: number;
  spikeTail: TailModel;
  shiftTail: TailModel;
  varTail: TailModel;
  density: number;
  densityTail: TailModel;
}

export interface DetectorPoint {
  timestamp: number;
  value: number;
}

export interface DetectorResult {
  score: number;
  expected: number;
  lower: number;
  upper: number;
  direction: "spike" | "drop" | "none";
}

export function createState(): DetectorState {
  return {
    n: 0,
    pred: 0,
    errVar: 0,
    zRing: [],
    spike: { mean: 0, var: 0 },
    shift: { mean: 0, var: 0 },
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    sinceAlarm: 1e9,
    hwLevel: 0,
    season: [],
    seasonSeen: [],
    hwErrVar: 0,
    firstTs: 0,
    spikeTail: createTailModel(),
    shiftTail: createTailModel(),
    varTail: createTailModel(),
    density: 0,
    densityTail: createTailModel(),
  };
}

function updateMoments(m: Moments, x: number, alpha: number, n: number): void {
  const a = Math.max(alpha, 1 / n);
  const d = x - m.mean;
  m.mean += a * d;
  m.var = (1 - a) * (m.var + a * d * d);
}

function surpriseOf(m: Moments, x: number): number {
  const sd = Math.sqrt(m.var) + 1e-6;
  return computeNormalSurprise((x - m.mean) / sd);
}

export function stepDetector(state: DetectorState, point: DetectorPoint, o: DetectorOptions): DetectorResult {
  const x = point.value;
  state.n += 1;
  const n = state.n;
  if (n === 1) {
    state.pred = x;
    state.min = x;
    state.max = x;
    state.hwLevel = x;
    state.firstTs = point.timestamp;
    state.season = new Array<number>(o.seasonBins).fill(0);
    state.seasonSeen = new Array<number>(o.seasonBins).fill(0);
    return { score: 0, expected: x, lower: x, upper: x, direction: "none" };
  }
  const scaleFloor = 1e-3 * (Math.abs(state.pred) + 1e-3) + 1e-9;
  const sd = Math.max(Math.sqrt(state.errVar), scaleFloor);
  const errLevel = x - state.pred;
  const bin = Math.floor(((point.timestamp % 86400000) + 86400000) % 86400000 / (86400000 / o.seasonBins));
  const seen = state.seasonSeen[bin] ?? 0;
  const seasonal = state.season[bin] ?? 0;
  const hwPred = state.hwLevel + seasonal;
  const errHw = x - hwPred;
  const hwSd = Math.max(Math.sqrt(state.hwErrVar), scaleFloor);
  const useHw = o.useSeason > 0 && seen > 0 && point.timestamp - state.firstTs > 2 * 86400000 && state.hwErrVar < state.errVar;
  const err = useHw ? errHw : errLevel;
  const z = useHw ? errHw / hwSd : errLevel / sd;
  state.zRing.push(z);
  if (state.zRing.length > o.shiftLen) state.zRing.shift();
  let zsum = 0;
  for (const v of state.zRing) zsum += v;
  const spikeStat = Math.log1p(Math.abs(z));
  const shiftStat = Math.log1p(Math.abs(zsum) / Math.sqrt(state.zRing.length));

  const calib = o.calib > 0;
  const sSpike = n > 20 ? (calib ? computeTailSurprise(state.spikeTail, Math.abs(z)) : surpriseOf(state.spike, spikeStat)) : 0;
  const sShift = n > 20 ? (calib ? computeTailSurprise(state.shiftTail, Math.abs(zsum) / Math.sqrt(state.zRing.length)) : surpriseOf(state.shift, shiftStat)) : 0;
  let absSum = 0;
  for (const v of state.zRing) absSum += Math.min(Math.abs(v), 10);
  const varStat = absSum / state.zRing.length;
  const sVar = n > 20 && o.useVar > 0 ? computeTailSurprise(state.varTail, varStat) : 0;
  addToTailModel(state.varTail, varStat, o.tailMemory);
  addToTailModel(state.spikeTail, Math.abs(z), o.tailMemory);
  addToTailModel(state.shiftTail, Math.abs(zsum) / Math.sqrt(state.zRing.length), o.tailMemory);
  const range = state.max - state.min;
  const tol = o.rangeTolerance * range;
  let sSpatial = 0;
  if (range > 0 && (x > state.max + tol || x < state.min - tol)) {
    sSpatial = o.spatialWeight * (Math.max(x - state.max, state.min - x) / range) * 10;
  }
  state.density += o.densityAlpha * (Math.min(sSpike, o.densityCap) - state.density);
  const sDensity = n > 50 && o.densityAlpha > 0 ? o.densityWeight * computeTailSurprise(state.densityTail, state.density) : 0;
  if (n > 20) addToTailModel(state.densityTail, state.density, o.tailMemory);
  const surprise = Math.max(sDensity, sSpike, o.useShift > 0 ? sShift : 0, sVar, sSpatial);

  updateMoments(state.spike, spikeStat, o.statAlpha, n);
  updateMoments(state.shift, shiftStat, o.statAlpha, n);
  const clipped = Math.max(-5 * sd, Math.min(5 * sd, errLevel));
  const a = Math.max(o.scaleAlpha, 1 / n);
  state.errVar = (1 - a) * state.errVar + a * clipped * clipped;
  state.pred += o.predAlpha * errLevel;
  const hwClipped = Math.max(-5 * hwSd, Math.min(5 * hwSd, errHw));
  if (n > 2) state.hwErrVar = (1 - a) * state.hwErrVar + a * hwClipped * hwClipped;
  else state.hwErrVar = state.errVar;
  const newLevel = state.hwLevel + o.hwAlpha * (seen > 0 ? hwClipped : 0);
  state.season[bin] = seen > 0 ? seasonal + o.hwGamma * (x - newLevel - seasonal) : x - newLevel;
  state.seasonSeen[bin] = seen + 1;
  state.hwLevel = newLevel;
  state.min = Math.min(state.min, x);
  state.max = Math.max(state.max, x);

  let out = n <= o.warmup ? 0 : surprise;
  state.sinceAlarm += 1;
  if (state.sinceAlarm <= o.refractory) out *= o.damp;
  else if (out >= o.alarmSurprise) state.sinceAlarm = 0;
  const score = 1 - Math.exp(-out / o.surpriseScale);
  const expected = state.pred;
  return {
    score,
    expected,
    lower: expected - 3 * sd,
    upper: expected + 3 * sd,
    direction: score >= 0.5 ? (err > 0 ? "spike" : "drop") : "none",
  };
}

// Streaming anomaly detector for one series. Pure: no I/O, no clock, state is a plain JSON object.
import {
  createContextModel,
  scoreContextNovelty,
  updateContextNovelty,
  type ContextModel,
} from "./context-model";
import { computeForecast, createForecastState, updateForecast, type ForecastState } from "./forecast";
import {
  createRecordTracker,
  RECORD_SCALES,
  updateRecordTracker,
  type RecordScale,
  type RecordTracker,
} from "./record-tracker";
import { addToTailModel, computeTailSurprise, createTailModel, type TailModel } from "./tail-model";
import {
  computeWeeklyResidual,
  createWeeklyProfile,
  updateWeeklyProfile,
  type WeeklyProfile,
} from "./weekly-profile";

export const STATE_VERSION = 1;

export interface DetectorOptions {
  /** Points learned before any score above 0 (the cold start). */
  warmup: number;
  /** Score at or above which a point is an alarm; also arms the refractory period. */
  alarmThreshold: number;
  /** Points after an alarm whose scores are damped so one anomaly raises one alarm. */
  refractory: number;
  /** Surprise (-log10 probability) per unit of range excess of a record. */
  recordWeight: number;
  /** Memory, in points, of the tail model that calibrates residual surprise. */
  tailMemory: number;
  /** Per-point pull of record ranges towards the current level (0 = remember forever). */
  recordForget: number;
  /**
   * Weight of the noise bar: surprise is lowered by this times the series' recent peak of
   * sub-alarm surprise, so series whose ordinary noise often comes close to the alarm level need
   * a clearer signal to alarm (0 = off).
   */
  noiseBar: number;
  /** Weight of the contextual-novelty surprise (CAD-style level sequences); 0 = off. */
  contextWeight: number;
  /**
   * Optional gap filling: when points are `stepMs` apart and some are missing, each missing step
   * is learned as `value` (e.g. 0 events) before the current point; at most `maxSteps` per gap.
   */
  fillGaps?: { stepMs: number; value: number; maxSteps: number } | undefined;
}

export const DEFAULT_OPTIONS: Readonly<DetectorOptions> = {
  warmup: 150,
  alarmThreshold: 0.5,
  refractory: 100,
  recordWeight: 30,
  tailMemory: 3000,
  recordForget: 0,
  noiseBar: 0.4,
  contextWeight: 0.5,
  fillGaps: undefined,
};

/** score = 1 - exp(-surprise / SURPRISE_SCALE), so the default 0.5 alarm is a surprise of ~3.5. */
const SURPRISE_SCALE = 5;
const RECORD_TOLERANCE = 0.1;
/** Hour-of-week residual records only look for sustained departures, at half the weight. */
const WEEKLY_SCALES: readonly RecordScale[] = [
  { alpha: 0.2, absorb: 0.3 },
  { alpha: 0.05, absorb: 0.3 },
];
const WEEKLY_WEIGHT = 0.5;
const REFRACTORY_DAMP = 0.3;
/** Memory (points) of the noise bar's peak; it decays by 1/NOISE_BAR_MEMORY per point. */
const NOISE_BAR_MEMORY = 5000;
/** The noise bar learns surprises only up to this fraction of the alarm level (alarms excluded). */
const NOISE_BAR_CAP = 0.9;
/** Points needed before the tail model gives surprises. */
const SPIKE_START = 20;
/** Larger magnitudes are clamped so squared residuals stay finite in double precision. */
const MAX_MAGNITUDE = 1e150;

export interface DetectorPoint {
  /** Epoch milliseconds. */
  timestamp: number;
  value: number;
}

export interface DetectorResult {
  /** Anomaly score in [0, 1]; mostly near 0, alarms at or above `alarmThreshold`. */
  score: number;
  /** One-step forecast and a ±3 sd band around it. */
  expected: number;
  lower: number;
  upper: number;
  /** Side of the anomaly when the point is an alarm. */
  direction: "spike" | "drop" | "none";
}

export interface DetectorState {
  version: number;
  count: number;
  lastTimestamp: number;
  sinceAlarm: number;
  forecast: ForecastState | null;
  records: RecordTracker | null;
  spikeTail: TailModel;
  weekly: WeeklyProfile | null;
  weeklyRecords: RecordTracker | null;
  /** Decaying peak of sub-alarm surprise after the warm-up (absent in states saved before it). */
  noisePeak?: number;
  /** Contextual-novelty model (absent in states saved before it; created on the next point). */
  context?: ContextModel | null;
}

export interface Detector {
  update(point: DetectorPoint): DetectorResult;
  /** The live state object; it is plain JSON data, so JSON.stringify/parse round-trips it. */
  getState(): DetectorState;
  serialize(): string;
}

export function createDetectorState(): DetectorState {
  return {
    version: STATE_VERSION,
    count: 0,
    lastTimestamp: 0,
    sinceAlarm: 1e9,
    forecast: null,
    records: null,
    spikeTail: createTailModel(),
    weekly: null,
    weeklyRecords: null,
    noisePeak: 0,
    context: null,
  };
}

function scoreOf(surprise: number): number {
  return 1 - Math.exp(-Math.max(0, surprise) / SURPRISE_SCALE);
}

function surpriseOf(score: number): number {
  return -SURPRISE_SCALE * Math.log(1 - Math.min(score, 1 - 1e-12));
}

/** Range excess of the smoothed residual against the hour-of-week profile, once it exists. */
function updateWeekly(
  state: DetectorState,
  timestamp: number,
  value: number,
  options: DetectorOptions,
): number {
  if (state.weekly === null) return 0;
  let excess = 0;
  const residual = computeWeeklyResidual(state.weekly, timestamp, value);
  if (residual !== null) {
    if (state.weeklyRecords === null) state.weeklyRecords = createRecordTracker(residual, WEEKLY_SCALES);
    else {
      const noise = Math.sqrt(state.weekly.errVar);
      excess = updateRecordTracker(
        state.weeklyRecords,
        residual,
        WEEKLY_SCALES,
        RECORD_TOLERANCE,
        options.recordForget,
        noise,
      ).excess;
    }
  }
  updateWeeklyProfile(state.weekly, timestamp, value);
  return excess;
}

/** Learns the value in the contextual-novelty model and returns its calibrated surprise. */
function updateContext(state: DetectorState, value: number): number {
  if (state.context === undefined || state.context === null) {
    state.context = createContextModel(value);
    return 0;
  }
  return scoreContextNovelty(state.context, updateContextNovelty(state.context, value));
}

/** Lowers `surprise` by the noise bar, then lets the bar learn it (capped below the alarm level). */
function applyNoiseBar(state: DetectorState, surprise: number, options: DetectorOptions): number {
  const peak = (state.noisePeak ?? 0) * (1 - 1 / NOISE_BAR_MEMORY);
  state.noisePeak = Math.max(peak, Math.min(surprise, NOISE_BAR_CAP * surpriseOf(options.alarmThreshold)));
  return surprise - options.noiseBar * peak;
}

function learnPoint(state: DetectorState, point: DetectorPoint, options: DetectorOptions): DetectorResult {
  const { value, timestamp } = point;
  state.count += 1;
  state.lastTimestamp = timestamp;
  if (state.forecast === null || state.records === null) {
    state.forecast = createForecastState(value, timestamp);
    state.records = createRecordTracker(value, RECORD_SCALES);
    state.weekly = createWeeklyProfile(timestamp);
    return { score: 0, expected: value, lower: value, upper: value, direction: "none" };
  }
  const count = state.count;
  const forecast = computeForecast(state.forecast, timestamp);
  const residual = value - forecast.expected;
  const deviation = Math.abs(residual) / forecast.sd;

  const spike = count > SPIKE_START ? computeTailSurprise(state.spikeTail, deviation) : 0;
  addToTailModel(state.spikeTail, deviation, options.tailMemory);
  const record = updateRecordTracker(
    state.records,
    value,
    RECORD_SCALES,
    RECORD_TOLERANCE,
    options.recordForget,
    forecast.sd,
  );
  const weeklyExcess = updateWeekly(state, timestamp, value, options);
  updateForecast(state.forecast, value, forecast.bin, count);

  const recordSurprise = options.recordWeight * Math.max(record.excess, WEEKLY_WEIGHT * weeklyExcess);
  const contextSurprise = options.contextWeight > 0 ? updateContext(state, value) : 0;
  let surprise =
    count <= options.warmup ? 0 : Math.max(spike, recordSurprise, options.contextWeight * contextSurprise);
  if (count > options.warmup) surprise = applyNoiseBar(state, surprise, options);
  state.sinceAlarm = Math.min(state.sinceAlarm + 1, 1e9);
  if (state.sinceAlarm <= options.refractory) surprise *= REFRACTORY_DAMP;
  else if (surprise >= surpriseOf(options.alarmThreshold)) state.sinceAlarm = 0;
  const score = scoreOf(surprise);
  const band = 3 * forecast.sd;
  const side = record.excess > 0 ? record.side : Math.sign(residual);
  const alarm = score >= options.alarmThreshold;
  return {
    score,
    expected: forecast.expected,
    lower: forecast.expected - band,
    upper: forecast.expected + band,
    direction: !alarm ? "none" : side > 0 ? "spike" : side < 0 ? "drop" : "none",
  };
}

function fillGap(state: DetectorState, timestamp: number, options: DetectorOptions): void {
  const gap = options.fillGaps;
  if (gap === undefined || state.count === 0 || !(gap.stepMs > 0)) return;
  const missing = Math.min(Math.round((timestamp - state.lastTimestamp) / gap.stepMs) - 1, gap.maxSteps);
  const start = state.lastTimestamp;
  for (let k = 1; k <= missing; k++) {
    learnPoint(state, { timestamp: start + k * gap.stepMs, value: gap.value }, options);
  }
}

/** Advances `state` by one point and scores it. Non-finite values are scored 0 and not learned. */
export function updateDetectorState(
  state: DetectorState,
  point: DetectorPoint,
  options: DetectorOptions = DEFAULT_OPTIONS,
): DetectorResult {
  if (!Number.isFinite(point.value) || !Number.isFinite(point.timestamp)) {
    const expected = state.forecast?.level ?? 0;
    return { score: 0, expected, lower: expected, upper: expected, direction: "none" };
  }
  fillGap(state, point.timestamp, options);
  const value = Math.max(-MAX_MAGNITUDE, Math.min(MAX_MAGNITUDE, point.value));
  return learnPoint(state, { timestamp: point.timestamp, value }, options);
}

export function serializeDetectorState(state: DetectorState): string {
  return JSON.stringify(state);
}

export function parseDetectorState(json: string): DetectorState {
  const parsed = JSON.parse(json) as DetectorState;
  if (parsed.version !== STATE_VERSION) {
    throw new Error(`unsupported detector state version ${String(parsed.version)}`);
  }
  return parsed;
}

/** Creates a detector, resuming from `state` (object or its JSON) when given. */
export function createDetector(
  options: Partial<DetectorOptions> = {},
  state?: DetectorState | string,
): Detector {
  const resolved: DetectorOptions = { ...DEFAULT_OPTIONS, ...options };
  const current =
    state === undefined
      ? createDetectorState()
      : parseDetectorState(typeof state === "string" ? state : serializeDetectorState(state));
  return {
    update: (point) => updateDetectorState(current, point, resolved),
    getState: () => current,
    serialize: () => serializeDetectorState(current),
  };
}

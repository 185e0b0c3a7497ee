// Streaming anomaly detector for one series. Pure: no I/O, no clock, state is a plain JSON object.
import {
  createContextModel,
  scoreContextNovelty,
  updateContextNovelty,
  type ContextModel,
} from "./context-model";
import { computeForecast, createForecastState, updateForecast, type ForecastState } from "./forecast";
import {
  adoptStoredRecords,
  createRecordTracker,
  RECORD_SCALES,
  updateRecordTracker,
  type RecordScale,
  type RecordTracker,
} from "./record-tracker";
import { isDetectorState } from "./state-shape";
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
  /** Per-point pull of record ranges towards the current level (0 = remember forever). */
  recordForget: number;
  /** Weight of the contextual-novelty surprise (CAD-style level sequences); 0 = off. */
  contextWeight: number;
  /**
   * Optional gap filling: when points are `stepMs` apart and some are missing, each missing step
   * is learned as `value` (e.g. 0 events) before the current point; at most `maxSteps` per gap.
   */
  fillGaps?: { stepMs: number; value: number; maxSteps: number } | undefined;
}

export const DEFAULT_OPTIONS: Readonly<DetectorOptions> = {
  warmup: 30,
  alarmThreshold: 0.5,
  refractory: 100,
  recordWeight: 30,
  recordForget: 0,
  contextWeight: 0.5,
  fillGaps: undefined,
};

/**
 * Points after which a series' scores carry full confidence: a day of 5-minute windows, when the
 * daily profile has seen every slot once (see `confidenceOf`).
 */
export const CONFIDENT_AFTER = 288;

/** score = 1 - exp(-surprise / SURPRISE_SCALE), so the default 0.5 alarm is a surprise of ~3.5. */
export const SURPRISE_SCALE = 5;
/** Hour-of-week residual records only look for sustained departures, at half the weight. */
const WEEKLY_SCALES: readonly RecordScale[] = [
  { alpha: 0.2, absorb: 0.3 },
  { alpha: 0.05, absorb: 0.3 },
];
const WEEKLY_WEIGHT = 0.5;
const REFRACTORY_DAMP = 0.3;
/**
 * Memory, in points, of the tail model that calibrates residual surprise: about ten days of
 * 5-minute windows, long enough to hold a few dozen 1-in-1,000 residuals. Not a tuning knob: NAB's
 * score barely moves between half and double (1,500 to 6,000 points).
 */
const TAIL_MEMORY = 3000;
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
  /** How much history backs the score, 0..1 (see `confidenceOf`). */
  confidence: number;
  /** True until full confidence: the series is still learning, its scores are early ones. */
  warmingUp: boolean;
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
  /** Contextual-novelty model (absent in states saved before it; created on the next point). */
  context?: ContextModel | null;
  /** Decaying peak of sub-alarm surprise (see `scaleBelowAlarm`); absent in the oldest states. */
  noisePeak?: number;
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
    context: null,
  };
}

/**
 * Confidence of a score after `count` points: 0 during the warm-up (scores are 0), then rising
 * linearly to 1 at CONFIDENT_AFTER points. Surprise is scaled by its square root.
 */
export function confidenceOf(count: number, warmup: number = DEFAULT_OPTIONS.warmup): number {
  if (count <= warmup) return 0;
  return Math.min(1, (count - warmup) / Math.max(1, CONFIDENT_AFTER - warmup));
}

type Scored = Omit<DetectorResult, "confidence" | "warmingUp">;

function withConfidence(state: DetectorState, options: DetectorOptions, result: Scored): DetectorResult {
  const confidence = confidenceOf(state.count, options.warmup);
  // One object literal with every field: a spread would make each result a slower object shape.
  return {
    score: result.score,
    expected: result.expected,
    lower: result.lower,
    upper: result.upper,
    direction: result.direction,
    confidence,
    warmingUp: confidence < 1,
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

/**
 * Below the alarm level, surprise is scaled by 1 - peak / alarm, where peak is the series' largest
 * recent sub-alarm surprise (decaying over TAIL_MEMORY points). A series whose ordinary noise
 * comes close to alarming shows its near misses as less close, a quiet one as they are; alarms
 * are untouched, so no alarm level moves. Without it a threshold set below the alarm level on
 * other series floods noisy ones (NAB's nested score on noisy copies of the files: 57 against 66).
 */
export function scaleBelowAlarm(state: DetectorState, surprise: number, alarm: number): number {
  const peak = (state.noisePeak ?? 0) * (1 - 1 / TAIL_MEMORY);
  if (surprise >= alarm) {
    state.noisePeak = peak;
    return surprise;
  }
  state.noisePeak = Math.max(peak, surprise);
  return surprise * (1 - Math.min(peak, alarm) / alarm);
}

function learnPoint(state: DetectorState, point: DetectorPoint, options: DetectorOptions): DetectorResult {
  const { value, timestamp } = point;
  state.count += 1;
  state.lastTimestamp = timestamp;
  if (state.forecast === null || state.records === null) {
    state.forecast = createForecastState(value, timestamp);
    state.records = createRecordTracker(value, RECORD_SCALES);
    state.weekly = createWeeklyProfile(timestamp);
    return withConfidence(state, options, {
      score: 0,
      expected: value,
      lower: value,
      upper: value,
      direction: "none",
    });
  }
  const count = state.count;
  const forecast = computeForecast(state.forecast, timestamp);
  const residual = value - forecast.expected;
  const deviation = Math.abs(residual) / forecast.sd;

  const spike = count > SPIKE_START ? computeTailSurprise(state.spikeTail, deviation) : 0;
  addToTailModel(state.spikeTail, deviation, TAIL_MEMORY);
  const record = updateRecordTracker(state.records, value, RECORD_SCALES, options.recordForget, forecast.sd);
  const weeklyExcess = updateWeekly(state, timestamp, value, options);
  updateForecast(state.forecast, value, forecast.bin, count);

  const recordSurprise = options.recordWeight * Math.max(record.excess, WEEKLY_WEIGHT * weeklyExcess);
  const contextSurprise = options.contextWeight > 0 ? updateContext(state, value) : 0;
  // TRICKY: a young series has not yet seen a whole day, so its daily high is a new record. The
  // surprise is scaled by the square root of confidence (errors of estimates shrink as 1/sqrt(n)),
  // so in the first hours only a departure far beyond the noise alarms.
  let surprise =
    Math.sqrt(confidenceOf(count, options.warmup)) *
    Math.max(spike, recordSurprise, options.contextWeight * contextSurprise);
  if (count > options.warmup) surprise = scaleBelowAlarm(state, surprise, surpriseOf(options.alarmThreshold));
  state.sinceAlarm = Math.min(state.sinceAlarm + 1, 1e9);
  if (state.sinceAlarm <= options.refractory) surprise *= REFRACTORY_DAMP;
  else if (surprise >= surpriseOf(options.alarmThreshold)) state.sinceAlarm = 0;
  const score = scoreOf(surprise);
  const band = 3 * forecast.sd;
  const side = record.excess > 0 ? record.side : Math.sign(residual);
  const alarm = score >= options.alarmThreshold;
  return withConfidence(state, options, {
    score,
    expected: forecast.expected,
    lower: forecast.expected - band,
    upper: forecast.expected + band,
    direction: !alarm ? "none" : side > 0 ? "spike" : side < 0 ? "drop" : "none",
  });
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
    return withConfidence(state, options, {
      score: 0,
      expected,
      lower: expected,
      upper: expected,
      direction: "none",
    });
  }
  fillGap(state, point.timestamp, options);
  const value = Math.max(-MAX_MAGNITUDE, Math.min(MAX_MAGNITUDE, point.value));
  return learnPoint(state, { timestamp: point.timestamp, value }, options);
}

/**
 * Learns a series' history (oldest first) into a fresh state exactly as scoring it would, so a
 * series whose windows already exist (after a replay or an upgrade) starts with their knowledge.
 */
export function warmDetectorState(
  history: Iterable<DetectorPoint>,
  options: DetectorOptions = DEFAULT_OPTIONS,
): DetectorState {
  const state = createDetectorState();
  for (const point of history) updateDetectorState(state, point, options);
  return state;
}

export function serializeDetectorState(state: DetectorState): string {
  return JSON.stringify(state);
}

/**
 * Reads a stored state. A state of another version or shape (saved by another detector version,
 * or damaged) is not an error: the series starts afresh and warms up again.
 */
export function parseDetectorState(json: string): DetectorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return createDetectorState();
  }
  if (!isDetectorState(parsed, STATE_VERSION)) return createDetectorState();
  const state = parsed;
  if (state.records === null) return state;
  const records = adoptStoredRecords(state.records);
  return records === null ? createDetectorState() : { ...state, records };
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

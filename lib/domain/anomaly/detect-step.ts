/**
 * One batch of closed windows through the detectors and the alert rules. Pure: it gets the stored
 * memory of the series and rules involved and returns what to store and what happened.
 */
import type { Sensitivity } from "@/lib/alerts/constants";
import type { RuleRow } from "@/lib/alerts/dto";
import { evaluateWindow, type Outcome } from "../alerts/evaluate";
import { stepIncident, streaksFor, type IncidentState, type Transition } from "../alerts/incident-machine";
import { severityForScore, thresholdFor } from "../alerts/sensitivity";
import {
  detectorOptionsFor,
  isZeroWhenMissing,
  metricValue,
  RECENT_POINTS,
  seriesKey,
  seriesOfWindow,
  windowsBetween,
  type SeriesId,
  type SeriesPoint,
  type WindowFigures,
} from "../alerts/series";
import { projectOfWindow, type ClosedWindow } from "@/lib/events/closed-window";
import type { Severity } from "@/lib/alerts/constants";
import {
  confidenceOf,
  createDetectorState,
  DEFAULT_OPTIONS,
  updateDetectorState,
  type DetectorOptions,
  type DetectorResult,
  type DetectorState,
} from "../detection/detector";

/** What is stored per series between batches. */
export interface SeriesMemory {
  id: SeriesId;
  state: DetectorState;
  recent: SeriesPoint[];
  points: number;
  /** Epoch ms of the last window learned; windows at or before it are redeliveries. */
  lastWindowStartMs: number | null;
}

/** What is stored per rule between batches. */
export interface RuleMemory extends IncidentState {
  lastWindowStartMs: number | null;
  lastDataWindowStartMs: number | null;
}

export interface DetectedAnomaly {
  key: string;
  id: SeriesId;
  windowStartMs: number;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  direction: "spike" | "drop";
  severity: Severity;
  context: SeriesPoint[];
  /** Detector confidence (0..1) behind the score; below 1 the series is still warming up. */
  confidence: number;
  warmingUp: boolean;
}

export interface PlannedTransition {
  ruleId: string;
  transition: Exclude<Transition, "none">;
  /** Key of the rule's series (to link the anomaly of the same window, if any). */
  seriesKey: string;
  windowStartMs: number;
  observed: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number | null;
  /** Detector confidence behind `score` (null when the window was not scored). */
  confidence: number | null;
  /** True when the rule's series was still warming up at this window (an anomaly rule's note). */
  warmingUp: boolean;
}

export interface StepResult {
  /** Series whose memory changed, by key. */
  series: Map<string, SeriesMemory>;
  /** Rules whose memory changed, by id. */
  rules: Map<string, RuleMemory>;
  anomalies: DetectedAnomaly[];
  transitions: PlannedTransition[];
  processed: number;
  duplicates: number;
}

export const INITIAL_RULE_MEMORY: Readonly<RuleMemory> = {
  breachStreak: 0,
  clearStreak: 0,
  firing: false,
  lastWindowStartMs: null,
  lastDataWindowStartMs: null,
};

/** Missing windows evaluated as zeros per gap at most (a day of 5-minute windows). */
const MAX_GAP_WINDOWS = 288;

/** A window's series within its project; a rule applies to windows of its own project only. */
export function scopeKey(
  projectId: string,
  windowSeconds: number,
  eventType: string,
  region: string,
): string {
  return [projectId, String(windowSeconds), eventType, region].map(encodeURIComponent).join("|");
}

/** The score at which a series records an anomaly: its most sensitive anomaly rule, or the default. */
function anomalyThreshold(id: SeriesId, rules: RuleRow[], defaultSensitivity: Sensitivity): number {
  let threshold = thresholdFor(defaultSensitivity);
  for (const rule of rules) {
    if (rule.enabled && rule.metric === id.metric && rule.condition.type === "anomaly") {
      threshold = Math.min(threshold, thresholdFor(rule.condition.sensitivity));
    }
  }
  return threshold;
}

function optionsFor(id: SeriesId): DetectorOptions {
  return { ...DEFAULT_OPTIONS, ...detectorOptionsFor(id.metric, id.windowSeconds) };
}

/** One stored window of a series' history, as `aggregations` keeps it. */
export type HistoryWindow = WindowFigures & { window_start: string };

/**
 * The memory of a series that first appears while its history is already stored (after a replay
 * or an upgrade): the detector learns every past window, oldest first, with the settings the step
 * uses, so the next window is scored with that knowledge instead of warming up. Windows at or
 * before the last one learned are then redeliveries. Pure: the caller reads the history.
 */
export function warmSeriesMemory(id: SeriesId, history: readonly HistoryWindow[]): SeriesMemory {
  const options = optionsFor(id);
  const memory: SeriesMemory = {
    id,
    state: createDetectorState(),
    recent: [],
    points: 0,
    lastWindowStartMs: null,
  };
  const windows = [...history].sort((a, b) => Date.parse(a.window_start) - Date.parse(b.window_start));
  for (const window of windows) {
    const startMs = Date.parse(window.window_start);
    if (!Number.isFinite(startMs)) continue;
    if (memory.lastWindowStartMs !== null && startMs <= memory.lastWindowStartMs) continue;
    memory.lastWindowStartMs = startMs;
    const observed = metricValue(window, id.metric);
    if (observed === null) continue;
    const detection = updateDetectorState(memory.state, { timestamp: startMs, value: observed }, options);
    memory.points += 1;
    memory.recent.push(toPoint(window.window_start, observed, detection));
    if (memory.recent.length > RECENT_POINTS) memory.recent.shift();
  }
  return memory;
}

/** Detector confidence of a stored series (0..1); below 1 it is still warming up. */
export function seriesConfidence(memory: Pick<SeriesMemory, "id" | "state">): number {
  return confidenceOf(memory.state.count, optionsFor(memory.id).warmup);
}

export function runDetectionStep(input: {
  windows: ClosedWindow[];
  series: Map<string, SeriesMemory>;
  rules: RuleRow[];
  ruleMemory: Map<string, RuleMemory>;
  defaultSensitivity: Sensitivity;
}): StepResult {
  const result: StepResult = {
    series: new Map(),
    rules: new Map(),
    anomalies: [],
    transitions: [],
    processed: 0,
    duplicates: 0,
  };
  const rulesByScope = new Map<string, RuleRow[]>();
  for (const rule of input.rules) {
    if (!rule.enabled) continue;
    const key = scopeKey(rule.projectId, rule.windowSeconds, rule.eventType, rule.region);
    rulesByScope.set(key, [...(rulesByScope.get(key) ?? []), rule]);
  }
  const windows = [...input.windows].sort((a, b) => Date.parse(a.window_start) - Date.parse(b.window_start));

  for (const window of windows) {
    const startMs = Date.parse(window.window_start);
    const scopeRules =
      rulesByScope.get(
        scopeKey(projectOfWindow(window), window.window_seconds, window.event_type, window.region),
      ) ?? [];
    const scored = new Map<string, { observed: number | null; result: DetectorResult | null }>();
    let learned = false;
    for (const id of seriesOfWindow(window)) {
      const key = seriesKey(id);
      const memory = input.series.get(key) ?? {
        id,
        state: createDetectorState(),
        recent: [],
        points: 0,
        lastWindowStartMs: null,
      };
      if (memory.lastWindowStartMs !== null && startMs <= memory.lastWindowStartMs) continue;
      learned = true;
      const observed = metricValue(window, id.metric);
      let detection: DetectorResult | null = null;
      if (observed !== null) {
        detection = updateDetectorState(
          memory.state,
          { timestamp: startMs, value: observed },
          optionsFor(id),
        );
        const threshold = anomalyThreshold(id, scopeRules, input.defaultSensitivity);
        const continues = isContinuation(memory.recent.at(-1), startMs - id.windowSeconds * 1000, threshold);
        memory.points += 1;
        memory.recent = [...memory.recent, toPoint(window.window_start, observed, detection)].slice(
          -RECENT_POINTS,
        );
        if (detection.score >= threshold && !continues) {
          result.anomalies.push({
            key,
            id,
            windowStartMs: startMs,
            observed,
            expected: detection.expected,
            lower: detection.lower,
            upper: detection.upper,
            score: detection.score,
            direction: directionOf(detection, observed),
            severity: severityForScore(detection.score),
            context: memory.recent,
            confidence: detection.confidence,
            warmingUp: detection.warmingUp,
          });
        }
      }
      memory.lastWindowStartMs = startMs;
      input.series.set(key, memory);
      result.series.set(key, memory);
      scored.set(key, { observed, result: detection });
    }
    if (learned) result.processed += 1;
    else result.duplicates += 1;

    for (const rule of scopeRules) {
      evaluateRule(rule, window, startMs, scored, input.ruleMemory, result);
    }
  }
  return result;
}

function evaluateRule(
  rule: RuleRow,
  window: ClosedWindow,
  startMs: number,
  scored: Map<string, { observed: number | null; result: DetectorResult | null }>,
  ruleMemory: Map<string, RuleMemory>,
  result: StepResult,
): void {
  const memory: RuleMemory = { ...(ruleMemory.get(rule.id) ?? INITIAL_RULE_MEMORY) };
  if (memory.lastWindowStartMs !== null && startMs <= memory.lastWindowStartMs) return;
  const key = seriesKey({
    projectId: rule.projectId,
    windowSeconds: rule.windowSeconds,
    eventType: rule.eventType,
    region: rule.region,
    metric: rule.metric,
  });
  const streaks = streaksFor(rule.condition, rule.forWindows);
  const apply = (
    outcome: Outcome,
    at: number,
    figures: Omit<PlannedTransition, "ruleId" | "transition" | "seriesKey" | "windowStartMs">,
  ) => {
    const step = stepIncident(memory, outcome, streaks);
    Object.assign(memory, step.state);
    if (step.transition !== "none") {
      result.transitions.push({
        ruleId: rule.id,
        transition: step.transition,
        seriesKey: key,
        windowStartMs: at,
        ...figures,
      });
    }
  };

  // A count nobody sent events for is a window of zeros: a "below" threshold must see it.
  if (
    rule.condition.type === "threshold" &&
    isZeroWhenMissing(rule.metric) &&
    memory.lastWindowStartMs !== null
  ) {
    const missing = Math.min(
      windowsBetween(memory.lastWindowStartMs, startMs, rule.windowSeconds),
      MAX_GAP_WINDOWS,
    );
    const stepMs = rule.windowSeconds * 1000;
    for (let k = missing; k >= 1; k--) {
      const at = startMs - k * stepMs;
      apply(evaluateWindow(rule.condition, 0, null), at, nullFigures(0));
    }
  }

  const seen = scored.get(key);
  const observed = seen?.observed ?? metricValue(window, rule.metric);
  const detection = seen?.result ?? null;
  apply(evaluateWindow(rule.condition, observed, detection?.score ?? null), startMs, {
    observed,
    expected: detection?.expected ?? null,
    lower: detection?.lower ?? null,
    upper: detection?.upper ?? null,
    score: detection?.score ?? null,
    confidence: detection?.confidence ?? null,
    warmingUp: detection?.warmingUp ?? false,
  });
  memory.lastWindowStartMs = startMs;
  memory.lastDataWindowStartMs = startMs;
  ruleMemory.set(rule.id, memory);
  result.rules.set(rule.id, memory);
}

/**
 * One anomaly per episode: a window right after an anomalous one belongs to the same anomaly
 * (the detector's smoothed views stay surprised for a few windows after a spike).
 */
function isContinuation(
  previous: SeriesPoint | undefined,
  previousStartMs: number,
  threshold: number,
): boolean {
  return (
    previous !== undefined &&
    Date.parse(previous.window_start) === previousStartMs &&
    previous.score !== null &&
    previous.score >= threshold
  );
}

function nullFigures(observed: number | null) {
  return {
    observed,
    expected: null,
    lower: null,
    upper: null,
    score: null,
    confidence: null,
    warmingUp: false,
  };
}

function toPoint(windowStart: string, observed: number, detection: DetectorResult): SeriesPoint {
  return {
    window_start: new Date(windowStart).toISOString(),
    observed,
    expected: finiteOrNull(detection.expected),
    lower: finiteOrNull(detection.lower),
    upper: finiteOrNull(detection.upper),
    score: finiteOrNull(detection.score),
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function directionOf(detection: DetectorResult, observed: number): "spike" | "drop" {
  if (detection.direction === "spike" || detection.direction === "drop") return detection.direction;
  return observed >= detection.expected ? "spike" : "drop";
}

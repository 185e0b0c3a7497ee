/**
 * Replays a rule over stored windows: the same detector, evaluation and incident state machine
 * the anomaly worker runs, so the preview shows when the rule would have fired. Pure.
 */
import {
  createDetectorState,
  DEFAULT_OPTIONS,
  updateDetectorState,
  type DetectorResult,
} from "../detection/detector";
import type { RuleMetric } from "@/lib/alerts/constants";
import type { PreviewDto, PreviewIncidentDto } from "@/lib/alerts/dto";
import { evaluateWindow, missingWindowsAt, type Outcome } from "./evaluate";
import { INITIAL_INCIDENT_STATE, stepIncident, streaksFor, type IncidentState } from "./incident-machine";
import type { RuleCondition } from "@/lib/alerts/rule-schema";
import {
  detectorOptionsFor,
  isZeroWhenMissing,
  metricValue,
  windowsBetween,
  type SeriesPoint,
  type WindowFigures,
} from "./series";

export interface ReplayRule {
  metric: RuleMetric;
  windowSeconds: number;
  condition: RuleCondition;
  forWindows: number;
}

export type StoredWindow = WindowFigures & { window_start: string };

const MAX_GAP_WINDOWS = 288;

export function replayRule(
  rule: ReplayRule,
  stored: StoredWindow[],
  { fromMs, toMs, latenessMs }: { fromMs: number; toMs: number; latenessMs: number },
): PreviewDto {
  const stepMs = rule.windowSeconds * 1000;
  const streaks = streaksFor(rule.condition, rule.forWindows);
  const options = { ...DEFAULT_OPTIONS, ...detectorOptionsFor(rule.metric, rule.windowSeconds) };
  const detector = createDetectorState();
  const windows = [...stored].sort((a, b) => Date.parse(a.window_start) - Date.parse(b.window_start));
  const incidents: PreviewIncidentDto[] = [];
  const points: PreviewDto["points"] = [];
  let state: IncidentState = INITIAL_INCIDENT_STATE;
  let open: PreviewIncidentDto | undefined;
  let lastStartMs: number | undefined;
  let learned = 0;
  let learnedBeforeFrom = 0;

  const apply = (outcome: Outcome, atMs: number, observed: number | null) => {
    const step = stepIncident(state, outcome, streaks);
    state = step.state;
    if (step.transition === "fire") {
      open = {
        fired_window_start: new Date(atMs).toISOString(),
        resolved_window_start: null,
        peak_observed: observed,
      };
      incidents.push(open);
    } else if (step.transition === "resolve" && open) {
      open.resolved_window_start = new Date(atMs).toISOString();
      open = undefined;
    } else if (open && observed !== null) {
      open.peak_observed = peak(rule.condition, open.peak_observed, observed);
    }
  };

  for (const window of windows) {
    const startMs = Date.parse(window.window_start);
    if (startMs >= toMs) break;
    if (lastStartMs !== undefined && startMs <= lastStartMs) continue;
    const missing =
      lastStartMs === undefined
        ? 0
        : Math.min(windowsBetween(lastStartMs, startMs, rule.windowSeconds), MAX_GAP_WINDOWS);
    if (rule.condition.type === "no_data" && lastStartMs !== undefined && missing >= rule.condition.windows) {
      apply("breach", lastStartMs + rule.condition.windows * stepMs, null);
    }
    if (rule.condition.type === "threshold" && isZeroWhenMissing(rule.metric) && lastStartMs !== undefined) {
      for (let k = missing; k >= 1; k--)
        apply(evaluateWindow(rule.condition, 0, null), startMs - k * stepMs, 0);
    }
    const observed = metricValue(window, rule.metric);
    let detection: DetectorResult | null = null;
    if (observed !== null) {
      detection = updateDetectorState(detector, { timestamp: startMs, value: observed }, options);
      learned += 1;
      if (startMs < fromMs) learnedBeforeFrom += 1;
    }
    const outcome = evaluateWindow(rule.condition, observed, detection?.score ?? null);
    apply(outcome, startMs, observed);
    lastStartMs = startMs;
    if (startMs >= fromMs && observed !== null) {
      points.push({ ...toPoint(window.window_start, observed, detection), breach: outcome === "breach" });
    }
  }
  if (rule.condition.type === "no_data") {
    const since = lastStartMs ?? fromMs - stepMs;
    if (missingWindowsAt(toMs, since, rule.windowSeconds, latenessMs) >= rule.condition.windows) {
      apply("breach", since + rule.condition.windows * stepMs, null);
    }
  }

  const shown = incidents.filter(
    (incident) =>
      incident.resolved_window_start === null || Date.parse(incident.resolved_window_start) >= fromMs,
  );
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    windows: points.length,
    incidents: shown,
    points,
    note: noteFor(rule, learned, learnedBeforeFrom),
  };
}

function noteFor(rule: ReplayRule, learned: number, learnedBeforeFrom: number): string | null {
  if (learned === 0) return "No stored windows for this series in the replayed range.";
  if (rule.condition.type === "anomaly" && learnedBeforeFrom < DEFAULT_OPTIONS.warmup) {
    return `The detector learns for ${DEFAULT_OPTIONS.warmup} windows before it scores; only ${learnedBeforeFrom} stored windows precede the last 24 hours, so early windows cannot fire.`;
  }
  return null;
}

function peak(condition: RuleCondition, current: number | null, observed: number): number {
  if (current === null) return observed;
  return condition.type === "threshold" && condition.operator === "below"
    ? Math.min(current, observed)
    : Math.max(current, observed);
}

function toPoint(windowStart: string, observed: number, detection: DetectorResult | null): SeriesPoint {
  const finite = (value: number | undefined) =>
    value !== undefined && Number.isFinite(value) ? value : null;
  return {
    window_start: new Date(windowStart).toISOString(),
    observed,
    expected: finite(detection?.expected),
    lower: finite(detection?.lower),
    upper: finite(detection?.upper),
    score: finite(detection?.score),
  };
}

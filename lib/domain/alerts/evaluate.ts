import type { RuleCondition } from "@/lib/alerts/rule-schema";
import { thresholdFor } from "./sensitivity";

/** What one window says about a rule's condition; "unknown" leaves the incident state alone. */
export type Outcome = "breach" | "clear" | "unknown";

/**
 * The condition against one closed window of the rule's series: `observed` is the window's value
 * of the rule's metric (null if it has none), `score` the detector's score for it (null if the
 * detector did not score it).
 */
export function evaluateWindow(
  condition: RuleCondition,
  observed: number | null,
  score: number | null,
): Outcome {
  switch (condition.type) {
    case "anomaly":
      if (score === null) return "unknown";
      return score >= thresholdFor(condition.sensitivity) ? "breach" : "clear";
    case "threshold":
      if (observed === null) return "unknown";
      return (condition.operator === "above" ? observed > condition.value : observed < condition.value)
        ? "breach"
        : "clear";
    case "no_data":
      // A window arrived: there is data.
      return "clear";
  }
}

/**
 * Closed windows with no data since the series' last window, at `nowMs`. A window [s, s+step)
 * counts as closed once the watermark (about now - allowed lateness) passed its end.
 */
export function missingWindowsAt(
  nowMs: number,
  lastDataStartMs: number,
  windowSeconds: number,
  latenessMs: number,
): number {
  const stepMs = windowSeconds * 1000;
  const latestClosedStart = Math.floor((nowMs - latenessMs) / stepMs) * stepMs - stepMs;
  return Math.max(0, Math.floor((latestClosedStart - lastDataStartMs) / stepMs));
}

/** The start (epoch ms) of the window of `windowSeconds` that contains `timeMs`. */
export function alignToWindow(timeMs: number, windowSeconds: number): number {
  const stepMs = windowSeconds * 1000;
  return Math.floor(timeMs / stepMs) * stepMs;
}

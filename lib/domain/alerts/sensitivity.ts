import type { Sensitivity, Severity } from "@/lib/alerts/constants";

/**
 * Detector score at or above which a sensitivity calls a window anomalous. "high" is the
 * detector's own alarm level (0.5: the nested cross-validation in docs/anomaly-detection.md
 * picks 0.48–0.52 without the scored category); the others ask for more surprise: the score
 * is 1 - exp(-surprise / 5), so 0.65 and 0.8 need about 1.5x and 2.3x the surprise of 0.5.
 */
export const SENSITIVITY_THRESHOLDS: Readonly<Record<Sensitivity, number>> = {
  high: 0.5,
  medium: 0.65,
  low: 0.8,
};

export function thresholdFor(sensitivity: Sensitivity): number {
  return SENSITIVITY_THRESHOLDS[sensitivity];
}

/** Severity of an anomaly from its score: the score already is a calibrated surprise. */
export function severityForScore(score: number): Severity {
  if (score >= 0.95) return "critical";
  if (score >= 0.85) return "high";
  if (score >= 0.65) return "medium";
  return "low";
}

import type { DetectorOptions } from "@/workers/detection/detector";
import type { ClosedWindow } from "../events/closed-window";
import type { RuleMetric } from "./constants";

/** One watched series: a window size, an event type (or "*"), a region (or "*") and a metric. */
export interface SeriesId {
  windowSeconds: number;
  eventType: string;
  region: string;
  metric: RuleMetric;
}

const METRICS: readonly string[] = ["count", "distinct_users", "avg", "p95"];

/** A stable, unambiguous key: each part URI-encoded, joined by "|". */
export function seriesKey(id: SeriesId): string {
  return [String(id.windowSeconds), id.eventType, id.region, id.metric].map(encodeURIComponent).join("|");
}

export function parseSeriesKey(key: string): SeriesId | undefined {
  const parts = key.split("|").map(decodeURIComponent);
  if (parts.length !== 4) return undefined;
  const [seconds, eventType = "", region = "", metric = ""] = parts;
  const windowSeconds = Number(seconds);
  if (!Number.isInteger(windowSeconds) || windowSeconds <= 0 || !METRICS.includes(metric)) return undefined;
  return { windowSeconds, eventType, region, metric: metric as RuleMetric };
}

/** The series a closed window feeds: one per metric. */
export function seriesOfWindow(
  window: Pick<ClosedWindow, "window_seconds" | "event_type" | "region">,
): SeriesId[] {
  return METRICS.map((metric) => ({
    windowSeconds: window.window_seconds,
    eventType: window.event_type,
    region: window.region,
    metric: metric as RuleMetric,
  }));
}

export type WindowFigures = Pick<ClosedWindow, "count" | "distinct_users" | "avg" | "p95">;

/** The window's value of one metric; null when the window has none (no event carried a value). */
export function metricValue(window: WindowFigures, metric: RuleMetric): number | null {
  switch (metric) {
    case "count":
      return window.count;
    case "distinct_users":
      return window.distinct_users;
    case "avg":
      return window.avg;
    case "p95":
      return window.p95;
  }
}

/** Counts are zero in a window nobody sent events in; averages and percentiles have no value. */
export function isZeroWhenMissing(metric: RuleMetric): boolean {
  return metric === "count" || metric === "distinct_users";
}

/** Detector settings for a window series (see docs/anomaly-detection.md, "Product settings"). */
export function detectorOptionsFor(metric: RuleMetric, windowSeconds: number): Partial<DetectorOptions> {
  const stepMs = windowSeconds * 1000;
  return {
    // Old extremes fade over about a month of windows, whatever the window size.
    recordForget: windowSeconds / (30 * 86_400),
    fillGaps: isZeroWhenMissing(metric) ? { stepMs, value: 0, maxSteps: 288 } : undefined,
  };
}

/** Whole windows strictly between two window starts (0 when adjacent or out of order). */
export function windowsBetween(previousStartMs: number, nextStartMs: number, windowSeconds: number): number {
  const steps = Math.round((nextStartMs - previousStartMs) / (windowSeconds * 1000));
  return Math.max(0, steps - 1);
}

/** One window of a series with the detector's view of it, as charts draw it. */
export interface SeriesPoint {
  window_start: string;
  observed: number;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number | null;
}

/** Recent points kept per series, and copied into an anomaly as its chart context. */
export const RECENT_POINTS = 48;

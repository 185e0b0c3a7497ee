import type { DetectorOptions } from "../detection/detector";
import { DEFAULT_PROJECT_ID } from "@/lib/domain/projects";
import type { ClosedWindow } from "@/lib/events/closed-window";
import type { RuleMetric } from "@/lib/alerts/constants";

/** One watched series: a window size, an event type (or "*"), a region (or "*") and a metric. */
export interface SeriesId {
  /** Absent: the default project. */
  projectId?: string;
  windowSeconds: number;
  eventType: string;
  region: string;
  metric: RuleMetric;
}

const METRICS: readonly string[] = ["count", "distinct_users", "avg", "p95"];

/**
 * A stable, unambiguous key: each part URI-encoded, joined by "|"; another project's series
 * start with the project (the default project's keep the form they had before projects).
 */
export function seriesKey(id: SeriesId): string {
  const parts = [String(id.windowSeconds), id.eventType, id.region, id.metric];
  if (id.projectId !== undefined && id.projectId !== DEFAULT_PROJECT_ID) parts.unshift(id.projectId);
  return parts.map(encodeURIComponent).join("|");
}

export function parseSeriesKey(key: string): SeriesId | undefined {
  const parts = key.split("|").map(decodeURIComponent);
  if (parts.length !== 4 && parts.length !== 5) return undefined;
  const projectId = parts.length === 5 ? parts.shift() : undefined;
  const [seconds, eventType = "", region = "", metric = ""] = parts;
  const windowSeconds = Number(seconds);
  if (!Number.isInteger(windowSeconds) || windowSeconds <= 0 || !METRICS.includes(metric)) return undefined;
  const id: SeriesId = { windowSeconds, eventType, region, metric: metric as RuleMetric };
  return projectId === undefined ? id : { projectId, ...id };
}

/** The series a closed window feeds: one per metric. */
export function seriesOfWindow(
  window: Pick<ClosedWindow, "project_id" | "window_seconds" | "event_type" | "region">,
): SeriesId[] {
  return METRICS.map((metric) => ({
    ...(window.project_id !== undefined && window.project_id !== DEFAULT_PROJECT_ID
      ? { projectId: window.project_id }
      : {}),
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

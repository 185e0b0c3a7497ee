import { z } from "zod";
import { DEFAULT_PROJECT_ID } from "@/lib/domain/projects";

/**
 * A window the processor closed (its end passed the watermark of every partition that fed
 * it), with its final figures. Sent once per window to the Kafka topic
 * `<prefix>aggregations.closed` (key "<project>|<event_type>|<region>") and on the Redis live channel.
 * Delivery is at-least-once: consumers key their effects by (series, window_start).
 * "*" in event_type or region is the roll-up over all types or regions.
 */
export const closedWindowSchema = z.object({
  /** Its project; windows sent before projects existed carry none: the default project's. */
  project_id: z.string().optional(),
  window_start: z.iso.datetime({ offset: true }),
  window_seconds: z.number().int().positive(),
  event_type: z.string(),
  region: z.string(),
  count: z.number().nonnegative(),
  distinct_users: z.number().nonnegative(),
  value_count: z.number().nonnegative(),
  sum: z.number().nullable(),
  avg: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  closed_at: z.iso.datetime({ offset: true }),
});

export type ClosedWindow = z.infer<typeof closedWindowSchema>;

/** The project of a closed window. */
export function projectOfWindow(window: Pick<ClosedWindow, "project_id">): string {
  return window.project_id ?? DEFAULT_PROJECT_ID;
}

/** The metrics a window series can be watched on. */
export const windowMetrics = ["count", "distinct_users", "avg", "p95"] as const;
export type WindowMetric = (typeof windowMetrics)[number];

export function closedWindowsTopic(prefix: string): string {
  return `${prefix}aggregations.closed`;
}

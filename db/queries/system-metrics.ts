import "server-only";
import { getSql } from "../client";

/** A worker counts as running when its last snapshot is at most this old (it writes every 10 s). */
export const STALE_AFTER_SECONDS = 35;

export interface WorkerSnapshot {
  role: string;
  instance: string;
  recorded_at: string;
  running: boolean;
  events_in_per_second: number;
  events_persisted_per_second: number;
  consumer_lag: number;
  lag_by_partition: Record<string, number>;
  batch_p50_ms: number | null;
  batch_p99_ms: number | null;
  late_events: number;
  rss_bytes: number;
}

export interface SystemPoint {
  t: string;
  events_in_per_second: number;
  events_persisted_per_second: number;
  consumer_lag: number;
  batch_p99_ms: number | null;
  instances: number;
}

// drizzle makes this shared client return timestamps as text
const iso = (value: Date | string) => new Date(value).toISOString();

/** The newest snapshot of every worker instance seen in the last `minutes`. */
export async function listWorkerSnapshots(minutes: number): Promise<WorkerSnapshot[]> {
  const rows = await getSql()<(Omit<WorkerSnapshot, "recorded_at"> & { recorded_at: Date | string })[]>`
    select distinct on (instance)
           role, instance, recorded_at,
           recorded_at >= now() - make_interval(secs => ${STALE_AFTER_SECONDS}) as running,
           events_in_per_second, events_persisted_per_second, consumer_lag::float8 as consumer_lag,
           lag_by_partition, batch_p50_ms, batch_p99_ms, late_events::float8 as late_events,
           rss_bytes::float8 as rss_bytes
    from system_metrics
    where recorded_at >= now() - make_interval(mins => ${minutes})
    order by instance, recorded_at desc`;
  return rows
    .map((row) => ({
      ...row,
      recorded_at: iso(row.recorded_at),
      lag_by_partition: row.lag_by_partition ?? {},
    }))
    .sort((a, b) => a.role.localeCompare(b.role) || a.instance.localeCompare(b.instance));
}

/**
 * Processor throughput and lag over the last `minutes`, in `bucketSeconds` buckets: each
 * instance's snapshots averaged within a bucket, then summed over instances (lag, rates)
 * or the worst taken (batch p99).
 */
export async function listSystemSeries(minutes: number, bucketSeconds: number): Promise<SystemPoint[]> {
  const rows = await getSql()<(Omit<SystemPoint, "t"> & { t: Date | string })[]>`
    with per_instance as (
      select date_bin(make_interval(secs => ${bucketSeconds}), recorded_at, timestamptz '2000-01-01') as t,
             instance,
             avg(events_in_per_second) as events_in,
             avg(events_persisted_per_second) as events_persisted,
             avg(consumer_lag) as lag,
             max(batch_p99_ms) as p99
      from system_metrics
      where role = 'processor' and recorded_at >= now() - make_interval(mins => ${minutes})
      group by 1, 2
    )
    select t,
           sum(events_in)::float8 as events_in_per_second,
           sum(events_persisted)::float8 as events_persisted_per_second,
           sum(lag)::float8 as consumer_lag,
           max(p99)::float8 as batch_p99_ms,
           count(*)::int as instances
    from per_instance
    group by t
    order by t`;
  return rows.map((row) => ({ ...row, t: iso(row.t) }));
}

import "server-only";
import type { SqlLike } from "@/db/client";
import { ensureRawEventPartitions, partitionHorizon } from "@/db/partitions";

export interface RetentionSettings {
  now: number;
  rawEventsDays: number;
  aggregationsDays: number;
  systemMetricsDays: number;
}

export interface RetentionResult {
  droppedPartitions: string[];
  createdPartitions: number;
  deletedAggregations: number;
  deletedSystemMetrics: number;
}

const DAY_MS = 86_400_000;

/**
 * Drops raw_events day partitions wholly older than the retention (a cheap metadata
 * operation, no row-by-row delete), creates the partitions ahead, and prunes old
 * aggregates and system metrics.
 */
export async function applyRetention(sql: SqlLike, settings: RetentionSettings): Promise<RetentionResult> {
  const oldestKept = settings.now - settings.rawEventsDays * DAY_MS;
  const cutoffDay = new Date(oldestKept).toISOString().slice(0, 10).replaceAll("-", "");
  const partitions = await sql<{ name: string }[]>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where p.relname = 'raw_events' and c.relname ~ '^raw_events_[0-9]{8}$'`;
  const droppedPartitions: string[] = [];
  for (const { name } of partitions) {
    if (name.slice("raw_events_".length) < cutoffDay) {
      await sql.unsafe(`drop table if exists "${name}"`);
      droppedPartitions.push(name);
    }
  }
  const { toMs } = partitionHorizon(settings.now, settings.rawEventsDays);
  const createdPartitions = await ensureRawEventPartitions(sql, oldestKept, toMs);
  const aggregations = await sql`
    delete from aggregations
    where window_start < ${new Date(settings.now - settings.aggregationsDays * DAY_MS).toISOString()}::timestamptz`;
  const metrics = await sql`
    delete from system_metrics
    where recorded_at < ${new Date(settings.now - settings.systemMetricsDays * DAY_MS).toISOString()}::timestamptz`;
  return {
    droppedPartitions,
    createdPartitions,
    deletedAggregations: aggregations.count,
    deletedSystemMetrics: metrics.count,
  };
}

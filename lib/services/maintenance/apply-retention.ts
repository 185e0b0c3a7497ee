import "server-only";
import type { SqlLike } from "@/db/client";
import { ensureRawEventPartitions, partitionHorizon } from "@/db/partitions";
import type { ChunkOptions } from "./delete-in-chunks";
import { pruneAlertHistory } from "./prune-alert-history";
import { pruneAnomalies, pruneDetectorStates } from "./prune-anomaly-history";

export interface RetentionSettings {
  now: number;
  rawEventsDays: number;
  aggregationsDays: number;
  systemMetricsDays: number;
  anomaliesDays: number;
  /** Resolved incidents and their finished deliveries and attempts. */
  alertHistoryDays: number;
  /** Detector states of series with no window for this long. */
  detectorStatesDays: number;
  /** The most rows one delete statement takes (default 10,000). */
  chunkRows?: number;
  /** The duration each delete statement is sized for (default 1 s). */
  chunkTargetMs?: number;
  /** Checked between delete statements: a pass stops there, the next one goes on. */
  stopped?: () => boolean;
}

export interface RetentionResult {
  droppedPartitions: string[];
  createdPartitions: number;
  deletedAggregations: number;
  deletedSystemMetrics: number;
  deletedAlertDeliveryAttempts: number;
  deletedAlertDeliveries: number;
  deletedAlertIncidents: number;
  deletedAnomalies: number;
  deletedDetectorStates: number;
  /** Whether `stopped()` ended the pass before every table was pruned. */
  interrupted: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Drops raw_events day partitions wholly older than the retention (a cheap metadata
 * operation, no row-by-row delete), creates the partitions ahead, and prunes old
 * aggregates, system metrics, alert history, anomalies and stopped series' detector states.
 * Every statement commits on its own (pass `sql` outside a transaction): the lock a dropped
 * partition takes on raw_events, and the row locks of each delete chunk, end with it.
 */
export async function applyRetention(sql: SqlLike, settings: RetentionSettings): Promise<RetentionResult> {
  const cutoff = (days: number) => new Date(settings.now - days * DAY_MS);
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
    where window_start < ${cutoff(settings.aggregationsDays).toISOString()}::timestamptz`;
  const metrics = await sql`
    delete from system_metrics
    where recorded_at < ${cutoff(settings.systemMetricsDays).toISOString()}::timestamptz`;

  const chunks: ChunkOptions = {
    maxRows: settings.chunkRows ?? 10_000,
    targetMs: settings.chunkTargetMs ?? 1_000,
    stopped: settings.stopped ?? (() => false),
  };
  const result: RetentionResult = {
    droppedPartitions,
    createdPartitions,
    deletedAggregations: aggregations.count,
    deletedSystemMetrics: metrics.count,
    deletedAlertDeliveryAttempts: 0,
    deletedAlertDeliveries: 0,
    deletedAlertIncidents: 0,
    deletedAnomalies: 0,
    deletedDetectorStates: 0,
    interrupted: false,
  };
  // Alert history before anomalies: an anomaly is kept while an incident links to it.
  const alerts = await pruneAlertHistory(sql, cutoff(settings.alertHistoryDays), chunks);
  Object.assign(result, alerts);
  if (alerts.interrupted) return result;
  const anomalies = await pruneAnomalies(sql, cutoff(settings.anomaliesDays), chunks);
  result.deletedAnomalies = anomalies.deleted;
  result.interrupted = anomalies.interrupted;
  if (anomalies.interrupted) return result;
  const states = await pruneDetectorStates(sql, cutoff(settings.detectorStatesDays), chunks);
  result.deletedDetectorStates = states.deleted;
  result.interrupted = states.interrupted;
  return result;
}

import "server-only";
import type { SqlLike } from "@/db/client";
import { deleteInChunks, type ChunkedDeletion, type ChunkOptions } from "./delete-in-chunks";

/**
 * Deletes anomalies recorded before `cutoff`, whatever their status (a triage mark nothing
 * waits on), except those an incident still links to: alert_incidents.anomaly_id has no
 * foreign key, and a kept incident's link must not lead nowhere.
 */
export async function pruneAnomalies(
  sql: SqlLike,
  cutoff: Date,
  options: ChunkOptions,
): Promise<ChunkedDeletion> {
  const before = cutoff.toISOString();
  return deleteInChunks(async (limit) => {
    const result = await sql`
      delete from anomalies where id in (
        select a.id from anomalies a
        where a.created_at < ${before}::timestamptz
          and not exists (select 1 from alert_incidents i where i.anomaly_id = a.id)
        limit ${limit})`;
    return result.count;
  }, options);
}

/**
 * Deletes the detector state of series with no window since `cutoff` (a series that stopped:
 * should it come back, the detector starts it cold). The outer conditions are checked again on
 * a row the anomaly worker updated meanwhile, so a series that just resumed keeps its state.
 */
export async function pruneDetectorStates(
  sql: SqlLike,
  cutoff: Date,
  options: ChunkOptions,
): Promise<ChunkedDeletion> {
  const before = cutoff.toISOString();
  return deleteInChunks(async (limit) => {
    const result = await sql`
      delete from detector_states where series_key in (
        select s.series_key from detector_states s
        where s.updated_at < ${before}::timestamptz and s.last_window_start < ${before}::timestamptz
        limit ${limit})
      and updated_at < ${before}::timestamptz and last_window_start < ${before}::timestamptz`;
    return result.count;
  }, options);
}

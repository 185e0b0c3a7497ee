import "server-only";
import type { Sql } from "@/db/client";
import { ROLLUP_INSERT_SQL, rollupBinSeconds, rollupCtes } from "../events/rollup-sql";
import { REPLAY_LOCK_KEY } from "../events/persist-batch";

const DAY_MS = 86_400_000;

export interface RebuildResult {
  from: string;
  to: string;
  windowsDeleted: number;
  windowsWritten: number;
}

/** [from, to) widened to whole windows of the largest size, so no window is rebuilt in part. */
export function alignRange(
  fromMs: number,
  toMs: number,
  largestWindowMs: number,
): { fromMs: number; toMs: number } {
  return {
    fromMs: Math.floor(fromMs / largestWindowMs) * largestWindowMs,
    toMs: Math.ceil(toMs / largestWindowMs) * largestWindowMs,
  };
}

/**
 * Recomputes the aggregates of [fromMs, toMs) from raw_events, a day per transaction.
 * Each transaction holds the replay lock exclusively, so the processors' batches (which
 * hold it shared) wait for the moment it takes instead of racing it: ingestion goes on
 * and nothing is lost or counted twice. Closed windows stay closed. Idempotent.
 */
export async function rebuildRange(
  sql: Sql,
  fromMs: number,
  toMs: number,
  windowSizesSeconds: readonly number[],
): Promise<RebuildResult[]> {
  const largest = Math.max(...windowSizesSeconds) * 1000;
  const range = alignRange(fromMs, toMs, largest);
  const results: RebuildResult[] = [];
  for (let start = range.fromMs; start < range.toMs; start += DAY_MS) {
    const end = Math.min(start + DAY_MS, range.toMs);
    const from = new Date(start).toISOString();
    const to = new Date(end).toISOString();
    results.push(await rebuildChunk(sql, from, to, windowSizesSeconds));
  }
  return results;
}

async function rebuildChunk(
  sql: Sql,
  from: string,
  to: string,
  sizes: readonly number[],
): Promise<RebuildResult> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${REPLAY_LOCK_KEY})`;
    await tx`create temp table closed_windows on commit drop as
      select window_seconds, event_type, region, window_start, closed_at from aggregations
      where window_start >= ${from}::timestamptz and window_start < ${to}::timestamptz and closed_at is not null`;
    const deleted = await tx`
      delete from aggregations where window_start >= ${from}::timestamptz and window_start < ${to}::timestamptz`;
    const written = await tx.unsafe(
      `with rollup_events as (
         select r.event_time, r.event_type, coalesce(r.region, 'unknown') as region, r.user_id, r.value
         from raw_events r
         where r.event_time >= $1::timestamptz and r.event_time < $2::timestamptz and not r.late
       ),
       ${rollupCtes("string_to_array($3::text, ',')::int[]", "$4::int")}
       ${ROLLUP_INSERT_SQL}`,
      [from, to, sizes.join(","), rollupBinSeconds(sizes)],
    );
    await tx`
      update aggregations a set closed_at = c.closed_at from closed_windows c
      where a.window_seconds = c.window_seconds and a.event_type = c.event_type
        and a.region = c.region and a.window_start = c.window_start`;
    return { from, to, windowsDeleted: deleted.count, windowsWritten: written.count };
  });
}

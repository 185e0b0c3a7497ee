import "server-only";
import type { Sql } from "@/db/client";
import { ROLLUP_INSERT_SQL, rollupBinSeconds, rollupCtes } from "../events/rollup-sql";
import type { AggregationConfig } from "../events/aggregation-config";
import { admitRegionsSql } from "../events/cardinality-sql";
import { REPLAY_LOCK_KEY } from "../events/persist-batch";

const ADMIT_RANGE_REGIONS = admitRegionsSql(
  "(select project_id, region from raw_events where event_time >= $3::timestamptz and event_time < $4::timestamptz)",
  "$1::text",
  "$2::int",
);

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
 * and nothing is lost or counted twice. Closed windows stay closed, and a window that was
 * emitted stays emitted: replay corrects the table, it never sends a window to
 * `aggregations.closed` again (the anomaly worker saw it once; see docs/architecture.md).
 * A window in the range whose rows had not been emitted yet is emitted once, as always.
 * Idempotent.
 */
export async function rebuildRange(
  sql: Sql,
  fromMs: number,
  toMs: number,
  config: AggregationConfig,
): Promise<RebuildResult[]> {
  const largest = Math.max(...config.windowSizesSeconds) * 1000;
  const range = alignRange(fromMs, toMs, largest);
  const results: RebuildResult[] = [];
  for (let start = range.fromMs; start < range.toMs; start += DAY_MS) {
    const end = Math.min(start + DAY_MS, range.toMs);
    const from = new Date(start).toISOString();
    const to = new Date(end).toISOString();
    results.push(await rebuildChunk(sql, from, to, config));
  }
  return results;
}

async function rebuildChunk(
  sql: Sql,
  from: string,
  to: string,
  config: AggregationConfig,
): Promise<RebuildResult> {
  const sizes = config.windowSizesSeconds;
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${REPLAY_LOCK_KEY})`;
    // an operator's command over a whole day of events: not bound by the per-statement safety net
    await tx`set local statement_timeout = 0`;
    await tx`create temp table closed_windows on commit drop as
      select project_id, window_seconds, event_type, region, window_start, closed_at, emitted_at from aggregations
      where window_start >= ${from}::timestamptz and window_start < ${to}::timestamptz and closed_at is not null`;
    // the range's regions are admitted as its batches would have admitted them
    for (const statement of ADMIT_RANGE_REGIONS)
      await tx.unsafe(statement, [config.scope, config.regionLimit, from, to]);
    const deleted = await tx`
      delete from aggregations where window_start >= ${from}::timestamptz and window_start < ${to}::timestamptz`;
    const written = await tx.unsafe(
      `with rollup_events as (
         select r.project_id, r.event_time, r.event_type, coalesce(r.region, 'unknown') as region, r.user_id, r.value,
                -- rows from before per-size lateness: late for every size
                case when r.late and r.late_windows is null then string_to_array($3::text, ',')::int[]
                     else r.late_windows end as late_windows
         from raw_events r
         where r.event_time >= $1::timestamptz and r.event_time < $2::timestamptz
       ),
       ${rollupCtes("string_to_array($3::text, ',')::int[]", "$4::int", {
         typesSql: "string_to_array($5::text, ',')",
         scopeSql: "$6::text",
       })}
       ${ROLLUP_INSERT_SQL}`,
      [from, to, sizes.join(","), rollupBinSeconds(sizes), config.eventTypes.join(","), config.scope],
    );
    await tx`
      update aggregations a set closed_at = c.closed_at, emitted_at = c.emitted_at from closed_windows c
      where a.window_seconds = c.window_seconds and a.event_type = c.event_type
        and a.region = c.region and a.window_start = c.window_start and a.project_id = c.project_id`;
    return { from, to, windowsDeleted: deleted.count, windowsWritten: written.count };
  });
}

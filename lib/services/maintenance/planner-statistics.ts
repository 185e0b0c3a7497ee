import "server-only";
import type { Sql } from "@/db/client";
import { logger } from "@/lib/logger";

/** Rows written before today's partition is analyzed again: 10 % of it, and at least this. */
const MIN_ROWS_BETWEEN = 50_000;

/** Today's raw_events partition (db/migrations/0000_init.sql names them raw_events_YYYYMMDD). */
export function todaysPartition(nowMs: number): string {
  return `raw_events_${new Date(nowMs).toISOString().slice(0, 10).replaceAll("-", "")}`;
}

/**
 * Keeps the planner's statistics of today's raw_events partition current, the rule
 * autovacuum's analyze follows (10 % of the rows changed), whether or not autovacuum runs.
 * TRICKY: reads filter on project_id, and without statistics the planner takes that filter
 * for a selective one: it read every row of the default project and sorted them instead of
 * walking the (project_id, event_time) index (1.9 s against milliseconds for the newest
 * page, on a machine whose PostgreSQL runs without autovacuum). Returns the processor's
 * hook: the rows each batch inserted.
 */
export function createStatisticsKeeper(sql: Sql, now: () => number = Date.now): (inserted: number) => void {
  let written = 0;
  let threshold = MIN_ROWS_BETWEEN;
  let analyzing = false;
  return (inserted) => {
    written += inserted;
    if (analyzing || written < threshold) return;
    analyzing = true;
    written = 0;
    const partition = todaysPartition(now());
    analyzePartition(sql, partition)
      .then((rows) => {
        threshold = Math.max(MIN_ROWS_BETWEEN, Math.round(rows * 0.1));
      })
      .catch((error: unknown) => logger.warn({ err: error, partition }, "analyze_failed"))
      .finally(() => {
        analyzing = false;
      });
  };
}

/** ANALYZE of one partition, if it exists; its row count afterwards. */
async function analyzePartition(sql: Sql, partition: string): Promise<number> {
  const [found] = await sql<{ rows: number | null }[]>`
    select reltuples::float8 as rows from pg_class where oid = to_regclass(${partition})`;
  if (!found) return 0;
  // the name is ours (todaysPartition), not a client's
  await sql.unsafe(`analyze ${partition}`);
  const [after] = await sql<{ rows: number }[]>`
    select reltuples::float8 as rows from pg_class where oid = to_regclass(${partition})`;
  return after?.rows ?? 0;
}

import type { SqlLike } from "./client";

const DAY_MS = 86_400_000;

function toDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Creates the day partitions of raw_events that cover [fromMs, toMs]; idempotent. */
export async function ensureRawEventPartitions(sql: SqlLike, fromMs: number, toMs: number): Promise<number> {
  const [row] = await sql<{ created: number }[]>`
    select ensure_raw_events_partitions(${toDay(fromMs)}::date, ${toDay(toMs)}::date) as created`;
  return row?.created ?? 0;
}

/** The partitions every process expects: the retention period behind, a week ahead. */
export function partitionHorizon(now: number, retentionDays: number): { fromMs: number; toMs: number } {
  return { fromMs: now - (retentionDays + 1) * DAY_MS, toMs: now + 7 * DAY_MS };
}

import "server-only";
import type { Sql } from "@/db/client";
import { FIGURES_SQL, toFigures, type FiguresRow } from "@/db/queries/aggregation-figures";
import type { ClosedWindow } from "@/lib/events/closed-window";
import { REPLAY_LOCK_KEY } from "../events/persist-batch";
import { ADVISORY_LOCK_KEYS } from "@/db/advisory-locks";

/** One processor at a time closes and sends windows. */
const CLOSER_LOCK_KEY = ADVISORY_LOCK_KEYS.windowCloser;
const MAX_PER_PASS = 2000;

export interface WatermarkRules {
  groupId: string;
  allowedLatenessMs: number;
  idlePartitionMs: number;
  /** A project's window closes only once none of its rows was written for this long. */
  closeGraceMs: number;
}

/**
 * Marks closed every window whose end the global watermark passed (once none of its rows was
 * written for `closeGraceMs`): the smallest watermark of
 * the group's active partitions (each its largest event time, capped at receive time plus
 * the skew, minus the lateness); a partition silent longer than the idle timeout does not
 * hold windows back, and with every partition idle the clock minus the lateness is used.
 * A short transaction with no I/O. Returns false when another processor holds the closer's
 * lock (it does the work).
 */
export function closeDueWindows(sql: Sql, rules: WatermarkRules): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<
      { locked: boolean }[]
    >`select pg_try_advisory_xact_lock(${CLOSER_LOCK_KEY}) as locked`;
    if (!lock?.locked) return false;
    const [mark] = await tx<{ watermark: string | Date }[]>`
      select coalesce(min(max_event_time) filter (where updated_at > now() - make_interval(secs => ${rules.idlePartitionMs / 1000})),
                      now()) - make_interval(secs => ${rules.allowedLatenessMs / 1000}) as watermark
      from partition_watermarks where group_id = ${rules.groupId}`;
    const watermark = new Date(mark?.watermark ?? Date.now() - rules.allowedLatenessMs).toISOString();
    // a project's window (all its rows) is due once the watermark passed its end and none of
    // its rows was written for the grace period: history sent with past times (a backfill)
    // lands in windows that are due at once, and this lets its batches fill them first
    const dueWindows = `
      select project_id, window_seconds, window_start from aggregations
      where closed_at is null and window_start <= $1::timestamptz
        and window_start + make_interval(secs => window_seconds) <= $1::timestamptz
      group by 1, 2, 3
      having max(updated_at) <= now() - make_interval(secs => $2::float8)`;
    const grace = rules.closeGraceMs / 1000;
    const [due] = await tx.unsafe<{ due: boolean }[]>(`select exists (${dueWindows}) as due`, [
      watermark,
      grace,
    ]);
    if (!due?.due) return true;
    // TRICKY: a batch counts an event in a window only if that window is open when it checks
    // (persist-batch.ts). Windows therefore close while no batch writes: batches hold this
    // lock shared; taken exclusively here (about once per window boundary), it waits for the
    // batches in flight, and the next ones see every window of this pass closed.
    await tx`select pg_advisory_xact_lock(${REPLAY_LOCK_KEY})`;
    await tx.unsafe(
      `update aggregations a set closed_at = now() from (${dueWindows}) d
       where a.closed_at is null and a.project_id = d.project_id
         and a.window_seconds = d.window_seconds and a.window_start = d.window_start`,
      [watermark, grace],
    );
    return true;
  });
}

/**
 * The outbox of closed windows: hands every closed window not yet sent to `send` (Kafka,
 * awaited with no row locked), then marks them sent. A crash in between sends them again
 * (at least once). Returns the windows sent.
 */
export function emitClosedWindows(
  sql: Sql,
  send: (windows: ClosedWindow[]) => Promise<void>,
): Promise<ClosedWindow[]> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<
      { locked: boolean }[]
    >`select pg_try_advisory_xact_lock(${CLOSER_LOCK_KEY}) as locked`;
    if (!lock?.locked) return [];
    const rows = await tx.unsafe<(FiguresRow & { closed_at: string | Date; project_id: string })[]>(
      `select ${FIGURES_SQL}, closed_at, project_id from aggregations
       where closed_at is not null and emitted_at is null
       order by window_start, window_seconds, event_type, region
       limit ${MAX_PER_PASS}`,
    );
    if (rows.length === 0) return [];
    const windows: ClosedWindow[] = rows.map(({ closed_at, project_id, ...row }) => ({
      project_id,
      ...toFigures(row),
      closed_at: new Date(closed_at).toISOString(),
    }));
    await send(windows);
    await tx.unsafe(
      `update aggregations a set emitted_at = now()
       from json_to_recordset($1::text::json)
         as t(project_id text, window_seconds int, event_type text, region text, window_start timestamptz)
       where a.window_seconds = t.window_seconds and a.event_type = t.event_type
         and a.region = t.region and a.window_start = t.window_start and a.project_id = t.project_id`,
      [
        JSON.stringify(
          windows.map(({ project_id, window_seconds, event_type, region, window_start }) => ({
            project_id,
            window_seconds,
            event_type,
            region,
            window_start,
          })),
        ),
      ],
    );
    return windows;
  });
}

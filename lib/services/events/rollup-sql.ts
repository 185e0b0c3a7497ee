import { boundedRegionSql, boundedTypeSql } from "./cardinality-sql";

/**
 * How events become aggregate rows, shared by the batch writer and the replay so both count
 * the same way. The caller defines a relation named "rollup_events" (project_id, event_time,
 * event_type, region, user_id, value, late_windows) holding the events to add, and passes the window
 * sizes (an int[] SQL expression) and their greatest common divisor in seconds (an int SQL
 * expression). An event counts in every size but those in its late_windows (null: none).
 *
 * Two steps: the events are first grouped into bins of the common divisor (one pass over the
 * events, each feeding its sketches once), and every window size and roll-up is then merged
 * from those partial rows (hundreds of rows, not events × sizes × grouping sets): counts,
 * sums, minima and maxima add up exactly, HyperLogLog unions are lossless, and t-digests merge
 * within their documented error (docs/architecture.md).
 */
export function rollupCtes(
  sizesSql: string,
  binSecondsSql: string,
  bounds: { typesSql: string; scopeSql: string },
): string {
  return `
rollup_bins as (
  select e.project_id,
         date_bin(make_interval(secs => ${binSecondsSql}), e.event_time, timestamptz 'epoch') as bin_start,
         e.event_type, e.region, e.late_windows,
         count(*) as event_count,
         hll_add_agg(hll_hash_text(e.user_id)) filter (where e.user_id is not null) as users,
         count(e.value) as value_count, sum(e.value) as value_sum, min(e.value) as value_min,
         max(e.value) as value_max, tdigest(e.value, 100) as value_digest
  from rollup_events e
  group by 1, 2, 3, 4, e.late_windows
),
rollup_windows as (
  -- the bins' types and regions mapped to their bounded series (cardinality-sql.ts): the
  -- sketches merge, so mapping after binning counts exactly as mapping each event would
  select b.project_id, date_bin(make_interval(secs => s.size), b.bin_start, timestamptz 'epoch') as window_start,
         s.size as window_seconds,
         ${boundedTypeSql("b.event_type", bounds.typesSql)} as event_type,
         ${boundedRegionSql("b.region", bounds.scopeSql, "b.project_id")} as region,
         b.event_count, b.users, b.value_count, b.value_sum, b.value_min, b.value_max, b.value_digest
  from rollup_bins b cross join unnest(${sizesSql}) as s(size)
  where b.late_windows is null or not (s.size = any(b.late_windows))
)`;
}

/** Adds "rollup_windows" (see rollupCtes) into aggregations with the "*" roll-ups, merging into existing rows. */
export const ROLLUP_INSERT_SQL = `
  insert into aggregations as a (project_id, window_start, window_seconds, event_type, region, event_count,
                                 users, value_count, value_sum, value_min, value_max, value_digest, updated_at)
  select project_id, window_start, window_seconds,
         case when grouping(event_type) = 1 then '*' else event_type end,
         case when grouping(region) = 1 then '*' else region end,
         sum(event_count)::int8,
         coalesce(hll_union_agg(users), hll_empty()),
         sum(value_count)::int8, sum(value_sum), min(value_min), max(value_max), tdigest(value_digest), now()
  from rollup_windows
  group by project_id, window_seconds, window_start, grouping sets ((event_type, region), (event_type), (region), ())
  -- a stable row order keeps concurrent processors from deadlocking on the same rows
  order by 3, 4, 5, 2, 1
  on conflict (window_seconds, event_type, region, window_start, project_id) do update set
    event_count = a.event_count + excluded.event_count,
    users = hll_union(a.users, excluded.users),
    value_count = a.value_count + excluded.value_count,
    value_sum = case when excluded.value_count = 0 then a.value_sum
                     else coalesce(a.value_sum, 0) + excluded.value_sum end,
    value_min = least(a.value_min, excluded.value_min),
    value_max = greatest(a.value_max, excluded.value_max),
    value_digest = case when a.value_digest is null then excluded.value_digest
                        when excluded.value_digest is null then a.value_digest
                        else tdigest_union(a.value_digest, excluded.value_digest) end,
    updated_at = now()
  -- a closed window was emitted with its final figures: it never changes afterwards
  where a.closed_at is null
  returning 1
`;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The bin of the first step: the greatest common divisor of the window sizes, in seconds. */
export function rollupBinSeconds(windowSizesSeconds: readonly number[]): number {
  return windowSizesSeconds.reduce((acc, size) => gcd(acc, size));
}

/**
 * Adds the rows of a relation named "windowed" (window_start, window_seconds, event_type,
 * region, user_id, value) into aggregations, with the "*" roll-ups, merging sketches into
 * existing rows. Shared by the batch writer and the replay so both count the same way.
 */
export const ROLLUP_INSERT_SQL = `
  insert into aggregations as a (window_start, window_seconds, event_type, region, event_count, users,
                                 value_count, value_sum, value_min, value_max, value_digest, updated_at)
  select window_start, window_seconds,
         case when grouping(event_type) = 1 then '*' else event_type end,
         case when grouping(region) = 1 then '*' else region end,
         count(*),
         coalesce(hll_add_agg(hll_hash_text(user_id)) filter (where user_id is not null), hll_empty()),
         count(value), sum(value), min(value), max(value), tdigest(value, 100), now()
  from windowed
  group by window_seconds, window_start, grouping sets ((event_type, region), (event_type), (region), ())
  -- a stable row order keeps concurrent processors from deadlocking on the same rows
  order by 2, 3, 4, 1
  on conflict (window_seconds, event_type, region, window_start) do update set
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

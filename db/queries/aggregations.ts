import "server-only";
import type { AggregationsQuery } from "@/lib/events/query";
import { getSql } from "../client";

export interface AggregationRow {
  window_start: string;
  window_seconds: number;
  event_type: string;
  region: string;
  count: number;
  distinct_users: number;
  value_count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

const DEFAULT_RANGE_MS = 24 * 3600 * 1000;

/** Window rows of one series (type or "*", region or "*") in a time range, oldest first. */
export async function listAggregations(query: AggregationsQuery): Promise<AggregationRow[]> {
  const to = query.to ?? new Date(Date.now() + query.window * 1000);
  const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
  const rows = await getSql()<
    (Omit<AggregationRow, "window_start" | "p50" | "p95" | "p99"> & {
      window_start: Date;
      pcts: number[] | null;
    })[]
  >`
    select window_start, window_seconds, event_type, region,
           event_count::float8 as count,
           round(hll_cardinality(users))::float8 as distinct_users,
           value_count::float8 as value_count,
           value_sum as sum, value_min as min, value_max as max,
           case when value_count > 0 then value_sum / value_count end as avg,
           (select tdigest_percentile(d, array[0.5, 0.95, 0.99]) from (select value_digest) s(d)
             where d is not null) as pcts
    from aggregations
    where window_seconds = ${query.window} and event_type = ${query.event_type} and region = ${query.region}
      and window_start >= ${from.toISOString()}::timestamptz and window_start < ${to.toISOString()}::timestamptz
    order by window_start
    limit ${query.limit}`;
  return rows.map(({ pcts, window_start, ...row }) => ({
    ...row,
    // drizzle makes this shared client return timestamps as text
    window_start: new Date(window_start).toISOString(),
    p50: pcts?.[0] ?? null,
    p95: pcts?.[1] ?? null,
    p99: pcts?.[2] ?? null,
  }));
}

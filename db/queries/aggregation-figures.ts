/**
 * How a stored aggregation row becomes figures (sketches read out), shared by the query
 * API and the window closer so both report the same numbers.
 */
export const FIGURES_SQL = `
  window_start, window_seconds, event_type, region,
  event_count::float8 as count,
  round(hll_cardinality(users))::float8 as distinct_users,
  value_count::float8 as value_count,
  value_sum as sum, value_min as min, value_max as max,
  case when value_count > 0 then value_sum / value_count end as avg,
  (select tdigest_percentile(d, array[0.5, 0.95, 0.99]) from (select value_digest) s(d)
    where d is not null) as pcts`;

export interface FiguresRow {
  window_start: string | Date;
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
  pcts: number[] | null;
}

export interface Figures extends Omit<FiguresRow, "window_start" | "pcts"> {
  window_start: string;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function toFigures({ pcts, window_start, ...row }: FiguresRow): Figures {
  return {
    ...row,
    // drizzle makes the shared client return timestamps as text; a separate client gives Dates
    window_start: new Date(window_start).toISOString(),
    p50: pcts?.[0] ?? null,
    p95: pcts?.[1] ?? null,
    p99: pcts?.[2] ?? null,
  };
}

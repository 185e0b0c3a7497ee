import "server-only";
import type { AggregationsQuery } from "@/lib/events/query";
import { getSql } from "../client";
import { FIGURES_SQL, toFigures, type Figures, type FiguresRow } from "./aggregation-figures";

export type AggregationRow = Figures;

const DEFAULT_RANGE_MS = 24 * 3600 * 1000;

/** A project's window rows of one series (type or "*", region or "*") in a time range, oldest first. */
export async function listAggregations(
  projectId: string,
  query: AggregationsQuery,
): Promise<AggregationRow[]> {
  const to = query.to ?? new Date(Date.now() + query.window * 1000);
  const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
  const rows = await getSql().unsafe<FiguresRow[]>(
    `select ${FIGURES_SQL} from aggregations
     where window_seconds = $1 and event_type = $2 and region = $3
       and window_start >= $4::timestamptz and window_start < $5::timestamptz and project_id = $7
     order by window_start
     limit $6`,
    [
      query.window,
      query.event_type,
      query.region,
      from.toISOString(),
      to.toISOString(),
      query.limit,
      projectId,
    ],
  );
  return rows.map(toFigures);
}

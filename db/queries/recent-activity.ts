import "server-only";
import { boundedRegionSql, boundedTypeSql } from "@/lib/services/events/cardinality-sql";
import type { Sql } from "../client";

export interface SecondCountRow {
  project_id: string;
  event_type: string;
  region: string;
  second: string;
  count: number;
}

/**
 * Stored, counted events per (bounded) type, region and second since `since`: what the
 * real-time counters hold (cardinality-sql.ts bounds them as the aggregates).
 */
export function readSecondCounts(
  sql: Sql,
  since: Date,
  bounds: { eventTypes: readonly string[]; scope: string },
): Promise<SecondCountRow[]> {
  return sql.unsafe<SecondCountRow[]>(
    `select project_id, ${boundedTypeSql("event_type", "string_to_array($2::text, ',')")} as event_type,
            ${boundedRegionSql("coalesce(region, 'unknown')", "$3::text", "project_id")} as region,
            floor(extract(epoch from event_time))::int8 as second, count(*)::int as count
     from raw_events where event_time >= $1::timestamptz and not late
     group by 1, 2, 3, 4`,
    [since.toISOString(), bounds.eventTypes.join(","), bounds.scope],
  );
}

/** The session ids seen per project and epoch minute since `since`. */
export function readSessionsByMinute(
  sql: Sql,
  since: Date,
): Promise<{ project_id: string; minute: string; ids: string[] }[]> {
  return sql<{ project_id: string; minute: string; ids: string[] }[]>`
    select project_id, floor(extract(epoch from event_time) / 60)::int8 as minute,
           array_agg(distinct session_id) as ids
    from raw_events where event_time >= ${since.toISOString()}::timestamptz and session_id is not null and not late
    group by 1, 2`;
}

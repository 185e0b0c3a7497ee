import "server-only";
import { getSql } from "../client";

/** The regions of a project that have series of their own (db/schema/aggregation-regions.ts). */
export async function listAdmittedRegions(scope: string, projectId: string): Promise<string[]> {
  const rows = await getSql()<{ region: string }[]>`
    select region from aggregation_regions where scope = ${scope} and project_id = ${projectId}
    order by admitted_at, region`;
  return rows.map((row) => row.region);
}

export interface CardinalityStatus {
  region_limit: number;
  regions_admitted: number;
  /** The limit is reached: regions seen from now on are aggregated as "other". */
  region_limit_reached: boolean;
  /** Events of types that are not configured were aggregated as "other" in the last hour. */
  unconfigured_types_last_hour: boolean;
}

/** Whether the aggregates' cardinality bounds are being hit, for the System page. */
export async function getCardinalityStatus(
  scope: string,
  projectId: string,
  regionLimit: number,
): Promise<CardinalityStatus> {
  const [row] = await getSql()<{ admitted: number; other_types: boolean }[]>`
    select (select count(*)::int from aggregation_regions
            where scope = ${scope} and project_id = ${projectId}) as admitted,
           exists (select 1 from aggregations
                   where event_type = 'other' and project_id = ${projectId}
                     and window_start > now() - interval '1 hour') as other_types`;
  const admitted = row?.admitted ?? 0;
  return {
    region_limit: regionLimit,
    regions_admitted: admitted,
    region_limit_reached: admitted >= regionLimit,
    unconfigured_types_last_hour: row?.other_types ?? false,
  };
}

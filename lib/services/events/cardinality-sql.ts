import { ADVISORY_LOCK_KEYS } from "@/db/advisory-locks";

/**
 * Cardinality bounds of the aggregates: the configured event types have a series each, every
 * other type is aggregated as "other"; the first REGION_LIMIT regions seen (per scope, see
 * db/schema/aggregation-regions.ts) have a series each, every later one is "other". Raw
 * events keep what was sent. Shared by the batch writer and the replay, so both map alike.
 */
export const OVERFLOW_BUCKET = "other";
/** What an event without a region is aggregated as. */
export const UNKNOWN_REGION = "unknown";
/** Admitting regions is serialised: two batches never both take the last free places. */
export const REGION_ADMISSION_LOCK_KEY = ADVISORY_LOCK_KEYS.regionAdmission;

/** The aggregated event type of `column`, given the configured types (a text[] SQL expression). */
export function boundedTypeSql(column: string, typesSql: string): string {
  return `case when ${column} = any(${typesSql}) then ${column} else '${OVERFLOW_BUCKET}' end`;
}

/**
 * The aggregated region of `column` (never null: "unknown" for none), in scope `scopeSql`,
 * of the project `projectSql` (each project admits its own regions).
 */
export function boundedRegionSql(column: string, scopeSql: string, projectSql: string): string {
  return `case when ${column} = '${UNKNOWN_REGION}' or exists (
      select 1 from aggregation_regions g
      where g.scope = ${scopeSql} and g.project_id = ${projectSql} and g.region = ${column})
    then ${column} else '${OVERFLOW_BUCKET}' end`;
}

/**
 * Two statements run in order before the batch's insert (each takes its own snapshot): the
 * first takes the admission lock when a region of `regionsSql` (a relation with `project_id`
 * and `region` columns) is new to its project and that project has places left; the second
 * admits the new regions of each project while it has places left (each project has
 * `limitSql` places: one project's regions never take another's). Admissions only grow, so
 * a batch that took no lock never misses one.
 */
export function admitRegionsSql(regionsSql: string, scopeSql: string, limitSql: string): [string, string] {
  const fresh = `select distinct s.project_id, s.region from ${regionsSql} s
    where s.region is not null and not exists (
      select 1 from aggregation_regions g
      where g.scope = ${scopeSql} and g.project_id = s.project_id and g.region = s.region)`;
  const admitted = (project: string) =>
    `(select count(*) from aggregation_regions g where g.scope = ${scopeSql} and g.project_id = ${project})`;
  return [
    `select pg_advisory_xact_lock(${REGION_ADMISSION_LOCK_KEY})
     where exists (select 1 from (${fresh}) f where ${admitted("f.project_id")} < ${limitSql})`,
    `insert into aggregation_regions (scope, project_id, region)
     select ${scopeSql}, project_id, region from (
       select f.project_id, f.region,
              row_number() over (partition by f.project_id order by f.region) as place,
              ${admitted("f.project_id")} as admitted
       from (${fresh}) f) n
     where n.admitted + n.place <= ${limitSql}
     on conflict do nothing`,
  ];
}

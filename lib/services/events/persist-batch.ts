import "server-only";
import type { TransactionSql } from "postgres";
import type { Sql } from "@/db/client";
import type { EnrichedEvent } from "@/lib/events/schema";
import { retryTransaction } from "@/lib/retry-transaction";
import type { AggregationConfig } from "./aggregation-config";
import {
  admitRegionsSql,
  boundedRegionSql,
  boundedTypeSql,
  OVERFLOW_BUCKET,
  UNKNOWN_REGION,
} from "./cardinality-sql";
import { ROLLUP_INSERT_SQL, rollupBinSeconds, rollupCtes } from "./rollup-sql";
import {
  STAGED_TIME_COLUMNS,
  STAGING_COLUMN_NAMES,
  STAGING_COLUMNS,
  STORED_COLUMNS,
  toStagingLine,
} from "./staging";
import { ADVISORY_LOCK_KEYS } from "@/db/advisory-locks";

export interface ConsumedEvent {
  event: EnrichedEvent;
  partition: number;
  offset: number;
  /**
   * A window of it may be closed already (see `mayBeClosed`): SQL checks each size's window
   * and counts the event only in those still open. False skips that check.
   */
  maybeClosed: boolean;
}

/**
 * An event as persistBatch takes it: its id and its line for the staging table's COPY
 * (`stageEvent`). The processor makes these while the previous batch is being written, and
 * keeps no more of the event than it needs afterwards.
 */
export interface StagedEvent {
  /** Ids are unique within a project: two projects' events may share one. */
  projectId: string;
  eventId: string;
  /** The event's time when the client sent it (then id and time identify the event), else undefined. */
  suppliedTime: number | undefined;
  stagingRow: string;
}

/** Where a partition stands after this batch: the next offset and the largest event time. */
export interface PartitionProgress {
  groupId: string;
  topic: string;
  partition: number;
  nextOffset: number;
  maxEventTime: number | undefined;
}

/** Newly stored, counted events per (type, region, second): what the real-time counters add. */
export interface SecondCount {
  project_id: string;
  event_type: string;
  region: string;
  second: number;
  count: number;
}

export interface PersistResult {
  inserted: number;
  late: number;
  secondCounts: SecondCount[];
  /** Stored events aggregated as "other" because their type, or their region, has no series of its own. */
  typeOverflow: number;
  regionOverflow: number;
}

interface PersistRow {
  project_id: string;
  event_type: string;
  region: string;
  second: string;
  count: number;
  late: boolean;
  type_overflow: number;
  region_overflow: number;
}

/**
 * Admits the batch's new regions while places are left (cardinality-sql.ts). Sent right
 * behind the COPY on the same connection (postgres.js pipelines them): no round trip added.
 */
function admitRegions(tx: TransactionSql, scope: string, regionLimit: number): Promise<unknown> {
  return Promise.all([
    tx.unsafe(ADMISSION_LOCK_SQL, [scope, regionLimit], { prepare: true }),
    tx.unsafe(ADMIT_REGIONS_SQL, [scope, regionLimit], { prepare: true }),
  ]);
}

export { UNKNOWN_REGION };
/** Replay takes this lock exclusively; every batch takes it shared, so the two never interleave. */
export const REPLAY_LOCK_KEY = ADVISORY_LOCK_KEYS.replay;
/** An event of the batch is stored already: the batch runs again (see PERSIST_SQL). */
const UNIQUE_VIOLATION = "23505";
const BATCH_WORK_MEM = "32MB";

// The batch arrives by COPY into this per-connection temporary table (emptied at commit):
// COPY's text format is several times cheaper for PostgreSQL to read than one JSON parameter.
// Its columns come from the event's field table (staging.ts).
const COPY_SQL = `copy persist_staging (${STAGING_COLUMN_NAMES}) from stdin`;
const STAGING_DDL = `create temp table if not exists persist_staging (${STAGING_COLUMNS}) on commit delete rows`;

// TRICKY: which events may be stored already? Offsets commit with the rows, so after a
// crash the processor resumes exactly past what is stored: an event with a server-assigned
// id comes back only if its record is read twice (a resume from Kafka's trailing offsets,
// or two members writing one partition during a rebalance), and then its key, time
// included, is the same. So by default ($2 false) only events whose client chose the id are
// looked up (an anti-join), and the primary key catches the rest: a unique violation rolls
// the transaction back whole, and persistBatch runs it again with every event looked up
// ($2 true). Looking every event up on every batch cost a third of the statement. An
// event sent without `timestamp` whose id is a UUIDv7 (the server's ids are) takes the id's
// time, so its retries have the same key (lib/events/event-id.ts). Any other client id sent
// without `timestamp` gets its receive time, different on each attempt: those rows are looked
// up by id within a day either side of their receive time, whichever copy arrives first.
// TRICKY: ids are a project's own, so the lookups compare the project too, as an expression
// (project_id || ''): compared as a column, the planner took the project-first indexes and
// scanned a day of the project's rows per event (a fault test's batches ran into the statement
// timeout); as an expression it filters the rows the primary key (event_id, event_time) finds.
const TYPES_SQL = "string_to_array($4::text, ',')";

export const PERSIST_SQL = `
with staged as (
  select t.*, ${STAGED_TIME_COLUMNS}
  from persist_staging t
),
input as (
  -- late for a size when that size's window of the event's project is closed already (its
  -- all-series row says so; the closer closes every row of a project's window at once, never
  -- while a batch writes: see close-windows.ts). A window its project never had a row of is
  -- open: it is made now and closes after the grace period, so a project's history sent with
  -- past times (a backfill) is counted. Only events whose window may have ended are looked at.
  select t.*,
         case when t.maybe_closed then nullif(array(
           select s.size from unnest(string_to_array($1::text, ',')::int[]) as s(size)
           where exists (
             select 1 from aggregations a
             where a.window_seconds = s.size and a.event_type = '*' and a.region = '*'
               and a.window_start = date_bin(make_interval(secs => s.size), t.event_time, timestamptz 'epoch')
               and a.project_id = t.project_id and a.closed_at is not null)
           order by s.size), '{}') end as late_windows
  from staged t
),
inserted as (
  insert into raw_events (${STORED_COLUMNS}, late, late_windows, kafka_partition, kafka_offset)
  select ${STORED_COLUMNS}, late_windows is not null, late_windows, kafka_partition, kafka_offset
  from input i
  where (not ($2::bool or i.id_supplied)
         or not exists (select 1 from raw_events r
                        where r.event_id = i.event_id and r.event_time = i.event_time
                          and (r.project_id || '') = i.project_id))
    and (not i.id_supplied or i.timestamp_supplied or not exists (
          select 1 from raw_events r
          where r.event_id = i.event_id and (r.project_id || '') = i.project_id
            and r.event_time between i.received_at - interval '1 day' and i.received_at + interval '1 day'))
  returning project_id, event_time, event_type, coalesce(region, '${UNKNOWN_REGION}') as region, user_id, value,
            late, late_windows
),
rollup_events as (
  select project_id, event_time, event_type, region, user_id, value, late_windows from inserted
),
${rollupCtes("string_to_array($1::text, ',')::int[]", "$3::int", { typesSql: TYPES_SQL, scopeSql: "$5::text" })},
rolled as (${ROLLUP_INSERT_SQL}),
counted as (
  select project_id, ${boundedTypeSql("event_type", TYPES_SQL)} as event_type,
         ${boundedRegionSql("region", "$5::text", "project_id")} as region,
         event_type as sent_type, region as sent_region, event_time, late
  from inserted
)
select project_id, event_type, region, floor(extract(epoch from event_time))::int8 as second,
       count(*)::int as count, late,
       count(*) filter (where event_type = '${OVERFLOW_BUCKET}' and sent_type <> '${OVERFLOW_BUCKET}')::int as type_overflow,
       count(*) filter (where region = '${OVERFLOW_BUCKET}' and sent_region <> '${OVERFLOW_BUCKET}')::int as region_overflow
from counted
group by 1, 2, 3, 4, 6
`;

/** The admission statements (cardinality-sql.ts) over the staged batch: $1 scope, $2 region limit. */
const [ADMISSION_LOCK_SQL, ADMIT_REGIONS_SQL] = admitRegionsSql("persist_staging", "$1::text", "$2::int");

function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** The event's id and its line for the staging table's COPY. */
export function stageEvent(consumed: ConsumedEvent): StagedEvent {
  const { event } = consumed;
  return {
    projectId: event.project_id,
    eventId: event.event_id,
    suppliedTime: event.timestamp_supplied ? event.timestamp : undefined,
    stagingRow: toStagingLine(event, consumed.maybeClosed, consumed.partition, consumed.offset),
  };
}

function toCopyText(batch: StagedEvent[]): string {
  return batch.map((staged) => staged.stagingRow).join("\n") + "\n";
}

async function copyIntoStaging(tx: TransactionSql, text: string): Promise<void> {
  const stream = await tx.unsafe(COPY_SQL).writable();
  await new Promise<void>((resolve, reject) => {
    stream.once("error", reject);
    stream.once("finish", resolve);
    stream.end(text);
  });
}

/** One entry per partition (a batch may hold several of a partition's fetches): one upsert row each. */
export function mergeProgress(progress: PartitionProgress[]): PartitionProgress[] {
  const merged = new Map<string, PartitionProgress>();
  for (const entry of progress) {
    const key = `${entry.groupId}\u0000${entry.topic}\u0000${entry.partition}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...entry });
      continue;
    }
    seen.nextOffset = Math.max(seen.nextOffset, entry.nextOffset);
    if (entry.maxEventTime !== undefined)
      seen.maxEventTime = Math.max(seen.maxEventTime ?? entry.maxEventTime, entry.maxEventTime);
  }
  return [...merged.values()];
}

function progressJson(progress: PartitionProgress[]): string {
  return JSON.stringify(
    mergeProgress(progress).map((p) => ({
      group_id: p.groupId,
      topic: p.topic,
      partition: p.partition,
      next_offset: p.nextOffset,
      max_event_time: p.maxEventTime === undefined ? null : toIso(p.maxEventTime),
    })),
  );
}

/**
 * The identity rule of PERSIST_SQL applied inside one batch (one statement does not see its
 * own rows): an event sent with a timestamp is identified by its id and that time, so a
 * second copy with the same id and time is dropped and one with another time is a different
 * event; an event without a timestamp (its time the server's choice) is identified by its id
 * alone, so it is dropped when any earlier event of the batch has its id. Kafka order decides
 * which copy is first.
 */
export function dropRepeatedIds(batch: readonly StagedEvent[]): StagedEvent[] {
  const ids = new Set<string>();
  const timedIds = new Set<string>();
  return batch.filter(({ projectId, eventId, suppliedTime }) => {
    // ids are a project's own: another project's event with the same id is another event
    const id = `${projectId}\u0000${eventId}`;
    if (suppliedTime === undefined) {
      if (ids.has(id)) return false;
    } else {
      const key = `${id}\u0000${suppliedTime}`;
      if (timedIds.has(key)) return false;
      timedIds.add(key);
    }
    ids.add(id);
    return true;
  });
}

/**
 * Stores a batch in one transaction: new raw events, aggregate increments computed from
 * only the rows actually inserted (a redelivered or retried event adds nothing), the next
 * offsets and the partitions' watermarks. Either all of it is durable or none of it is.
 */
export function persistBatch(
  sql: Sql,
  batch: readonly StagedEvent[],
  progress: PartitionProgress[],
  config: AggregationConfig,
): Promise<PersistResult> {
  const unique = dropRepeatedIds(batch);
  // made before the transaction starts: PostgreSQL would wait for it inside
  const prepared = { copyText: unique.length > 0 ? toCopyText(unique) : "", progress, config };
  // A unique violation means an event of the batch is stored already (a record read twice,
  // or a concurrent writer during a rebalance; see PERSIST_SQL): the retry looks every id up.
  return retryTransaction((attempt) => writeBatch(sql, prepared, attempt > 1), {
    alsoRetryable: [UNIQUE_VIOLATION],
  });
}

interface PreparedBatch {
  /** The staging table's COPY text; empty when the batch holds no events. */
  copyText: string;
  progress: PartitionProgress[];
  config: AggregationConfig;
}

function writeBatch(
  sql: Sql,
  { copyText, progress, config }: PreparedBatch,
  lookUpEveryId: boolean,
): Promise<PersistResult> {
  const { windowSizesSeconds, eventTypes, regionLimit, scope } = config;
  // Statements that do not depend on each other are sent together (postgres.js pipelines
  // queries issued concurrently on one connection): fewer round trips per batch.
  return sql.begin(async (tx) => {
    await Promise.all([
      tx`select pg_advisory_xact_lock_shared(${REPLAY_LOCK_KEY})`,
      tx.unsafe(STAGING_DDL),
      // the roll-up sorts a batch's rows once per window size: keep that sort in memory
      tx.unsafe(`set local work_mem = '${BATCH_WORK_MEM}'`),
    ]);
    if (copyText !== "") await copyIntoStaging(tx, copyText);
    const json = progressJson(progress);
    const [rows] = await Promise.all([
      copyText === ""
        ? Promise.resolve([])
        : admitRegions(tx, scope, regionLimit).then(() =>
            tx.unsafe<PersistRow[]>(
              PERSIST_SQL,
              [
                windowSizesSeconds.join(","),
                lookUpEveryId,
                rollupBinSeconds(windowSizesSeconds),
                eventTypes.join(","),
                scope,
              ],
              { prepare: true },
            ),
          ),
      progress.length === 0
        ? Promise.resolve([])
        : tx`
        with progress as (
          select * from json_to_recordset(${json}::text::json)
            as t(group_id text, topic text, partition int, next_offset int8, max_event_time timestamptz)
        ),
        offsets as (
          insert into consumer_offsets (group_id, topic, partition, next_offset, updated_at)
          select group_id, topic, partition, next_offset, now() from progress
          on conflict (group_id, topic, partition) do update
            set next_offset = greatest(consumer_offsets.next_offset, excluded.next_offset), updated_at = now()
        )
        insert into partition_watermarks (group_id, topic, partition, max_event_time, updated_at)
        select group_id, topic, partition, max_event_time, now() from progress
        where max_event_time is not null
        on conflict (group_id, topic, partition) do update
          set max_event_time = greatest(partition_watermarks.max_event_time, excluded.max_event_time),
              updated_at = now()`,
    ]);
    const result: PersistResult = {
      inserted: 0,
      late: 0,
      secondCounts: [],
      typeOverflow: 0,
      regionOverflow: 0,
    };
    for (const row of rows) {
      result.inserted += row.count;
      result.typeOverflow += row.type_overflow;
      result.regionOverflow += row.region_overflow;
      if (row.late) result.late += row.count;
      else
        result.secondCounts.push({
          project_id: row.project_id,
          event_type: row.event_type,
          region: row.region,
          second: Number(row.second),
          count: row.count,
        });
    }
    return result;
  });
}

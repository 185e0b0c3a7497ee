import "server-only";
import type { TransactionSql } from "postgres";
import type { Sql } from "@/db/client";
import type { EnrichedEvent } from "@/lib/events/schema";
import { retryTransaction } from "@/lib/retry-transaction";
import { ROLLUP_INSERT_SQL, rollupBinSeconds, rollupCtes } from "./rollup-sql";

export interface ConsumedEvent {
  event: EnrichedEvent;
  partition: number;
  offset: number;
  /** Behind its partition's watermark: stored raw, flagged, kept out of the aggregates. */
  late: boolean;
  /** Its window may already be closed (ended before now minus the lateness): check in SQL. */
  maybeClosed: boolean;
}

/**
 * An event as persistBatch takes it: its id and its line for the staging table's COPY
 * (`stageEvent`). The processor makes these while the previous batch is being written, and
 * keeps no more of the event than it needs afterwards.
 */
export interface StagedEvent {
  eventId: string;
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
  event_type: string;
  region: string;
  second: number;
  count: number;
}

export interface PersistResult {
  inserted: number;
  late: number;
  secondCounts: SecondCount[];
}

export const UNKNOWN_REGION = "unknown";
/** Replay takes this lock exclusively; every batch takes it shared, so the two never interleave. */
export const REPLAY_LOCK_KEY = 7_202_611;
/** An event of the batch is stored already: the batch runs again (see PERSIST_SQL). */
const UNIQUE_VIOLATION = "23505";
const BATCH_WORK_MEM = "32MB";

// The batch arrives by COPY into this per-connection temporary table (emptied at commit):
// COPY's text format is several times cheaper for PostgreSQL to read than one JSON parameter.
// Times travel as epoch milliseconds: cheaper to write in Node and to read in PostgreSQL
// than ISO 8601 text.
const STAGING_COLUMNS = `event_id text, event_time_ms int8, event_type text, region text, user_id text,
  session_id text, value float8, properties jsonb, received_at_ms int8, correlation_id text, source jsonb,
  late bool, maybe_closed bool, kafka_partition int, kafka_offset int8, id_supplied bool, timestamp_supplied bool`;
const STAGING_DDL = `create temp table if not exists persist_staging (${STAGING_COLUMNS}) on commit delete rows`;

// TRICKY: which events may be stored already? Offsets commit with the rows, so after a
// crash the processor resumes exactly past what is stored: an event with a server-assigned
// id comes back only if its record is read twice (a resume from Kafka's trailing offsets,
// or two members writing one partition during a rebalance), and then its key, time
// included, is the same. So by default ($3 false) only events whose client chose the id are
// looked up (an anti-join), and the primary key catches the rest: a unique violation rolls
// the transaction back whole, and persistBatch runs it again with every event looked up
// ($3 true). Looking every event up on every batch cost a third of the statement. A client
// retry that omitted `timestamp` gets a new event_time, so its key alone would not match;
// those rows (id supplied, time not) are also looked up by id around their receive time.
export const PERSIST_SQL = `
with staged as (
  select t.*, timestamptz 'epoch' + t.event_time_ms * interval '1 millisecond' as event_time,
         timestamptz 'epoch' + t.received_at_ms * interval '1 millisecond' as received_at
  from persist_staging t
),
input as (
  select t.*,
         t.late or (t.maybe_closed and exists (
           select 1 from aggregations a
           where a.window_seconds = $2::int and a.event_type = '*' and a.region = '*'
             and a.window_start = date_bin(make_interval(secs => $2::int), t.event_time, timestamptz 'epoch')
             and a.closed_at is not null)) as is_late
  from staged t
),
inserted as (
  insert into raw_events (event_id, event_time, event_type, region, user_id, session_id, value,
                          properties, received_at, correlation_id, source, late, kafka_partition, kafka_offset)
  select event_id, event_time, event_type, region, user_id, session_id, value,
         properties, received_at, correlation_id, source, is_late, kafka_partition, kafka_offset
  from input i
  where (not ($3::bool or i.id_supplied)
         or not exists (select 1 from raw_events r where r.event_id = i.event_id and r.event_time = i.event_time))
    and (not i.id_supplied or i.timestamp_supplied or not exists (
          select 1 from raw_events r
          where r.event_id = i.event_id
            and r.event_time between i.received_at - interval '1 day' and i.received_at + interval '1 minute'))
  returning event_time, event_type, coalesce(region, '${UNKNOWN_REGION}') as region, user_id, value, late
),
rollup_events as (
  select event_time, event_type, region, user_id, value from inserted where not late
),
${rollupCtes("string_to_array($1::text, ',')::int[]", "$4::int")},
rolled as (${ROLLUP_INSERT_SQL})
select event_type, region, floor(extract(epoch from event_time))::int8 as second,
       count(*)::int as count, late
from inserted
group by 1, 2, 3, 5
`;

function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Whole milliseconds (as Date does): the int8 column takes no fraction. */
function toMs(epochMs: number): string {
  return String(Math.trunc(epochMs));
}

/** COPY text format: tab-separated, \\N for null, backslash escapes. */
function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : value;
}

/** The event's id and its line for the staging table's COPY. */
export function stageEvent(consumed: ConsumedEvent): StagedEvent {
  return { eventId: consumed.event.event_id, stagingRow: toStagingRow(consumed) };
}

function toStagingRow({ event, partition, offset, late, maybeClosed }: ConsumedEvent): string {
  return [
    copyField(event.event_id),
    toMs(event.timestamp),
    copyField(event.event_type),
    copyField(event.region ?? null),
    copyField(event.user_id ?? null),
    copyField(event.session_id ?? null),
    event.value === undefined ? "\\N" : String(event.value),
    copyField(event.properties ? JSON.stringify(event.properties) : null),
    toMs(event.received_at),
    copyField(event.correlation_id),
    copyField(JSON.stringify(event.source)),
    late ? "t" : "f",
    maybeClosed ? "t" : "f",
    String(partition),
    String(offset),
    event.id_supplied ? "t" : "f",
    event.timestamp_supplied ? "t" : "f",
  ].join("\t");
}

function toCopyText(batch: StagedEvent[]): string {
  return batch.map((staged) => staged.stagingRow).join("\n") + "\n";
}

async function copyIntoStaging(tx: TransactionSql, text: string): Promise<void> {
  const stream = await tx.unsafe("copy persist_staging from stdin").writable();
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

/** Keeps the first of several messages with the same event id (one statement may not see its own rows). */
function dropRepeatedIds(batch: readonly StagedEvent[]): StagedEvent[] {
  const seen = new Set<string>();
  return batch.filter(({ eventId }) => {
    if (seen.has(eventId)) return false;
    seen.add(eventId);
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
  windowSizesSeconds: readonly number[],
): Promise<PersistResult> {
  const unique = dropRepeatedIds(batch);
  // made before the transaction starts: PostgreSQL would wait for it inside
  const prepared = { copyText: unique.length > 0 ? toCopyText(unique) : "", progress, windowSizesSeconds };
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
  windowSizesSeconds: readonly number[];
}

function writeBatch(
  sql: Sql,
  { copyText, progress, windowSizesSeconds }: PreparedBatch,
  lookUpEveryId: boolean,
): Promise<PersistResult> {
  const largestWindow = Math.max(...windowSizesSeconds);
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
        : tx.unsafe<{ event_type: string; region: string; second: string; count: number; late: boolean }[]>(
            PERSIST_SQL,
            [
              windowSizesSeconds.join(","),
              largestWindow,
              lookUpEveryId,
              rollupBinSeconds(windowSizesSeconds),
            ],
            { prepare: true },
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
    const result: PersistResult = { inserted: 0, late: 0, secondCounts: [] };
    for (const row of rows) {
      result.inserted += row.count;
      if (row.late) result.late += row.count;
      else
        result.secondCounts.push({
          event_type: row.event_type,
          region: row.region,
          second: Number(row.second),
          count: row.count,
        });
    }
    return result;
  });
}

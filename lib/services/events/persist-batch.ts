import "server-only";
import type { TransactionSql } from "postgres";
import type { Sql } from "@/db/client";
import type { EnrichedEvent } from "@/lib/events/schema";
import { ROLLUP_INSERT_SQL } from "./rollup-sql";

export interface ConsumedEvent {
  event: EnrichedEvent;
  partition: number;
  offset: number;
  /** Behind its partition's watermark: stored raw, flagged, kept out of the aggregates. */
  late: boolean;
  /** Its window may already be closed (ended before now minus the lateness): check in SQL. */
  maybeClosed: boolean;
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

// The batch arrives by COPY into this per-connection temporary table (emptied at commit):
// COPY's text format is several times cheaper for PostgreSQL to read than one JSON parameter.
const STAGING_COLUMNS = `event_id text, event_time timestamptz, event_type text, region text, user_id text,
  session_id text, value float8, properties jsonb, received_at timestamptz, correlation_id text, source jsonb,
  late bool, maybe_closed bool, kafka_partition int, kafka_offset int8, probe bool`;
const STAGING_DDL = `create temp table if not exists persist_staging (${STAGING_COLUMNS}) on commit delete rows`;

// TRICKY: a client retry that omitted `timestamp` gets a new event_time, so the key
// (event_id, event_time) alone would not catch it; those rows (probe = true) are also
// looked up by id around their receive time.
export const PERSIST_SQL = `
with input as (
  select t.*,
         t.late or (t.maybe_closed and exists (
           select 1 from aggregations a
           where a.window_seconds = $2::int and a.event_type = '*' and a.region = '*'
             and a.window_start = date_bin(make_interval(secs => $2::int), t.event_time, timestamptz 'epoch')
             and a.closed_at is not null)) as is_late
  from persist_staging t
),
inserted as (
  insert into raw_events (event_id, event_time, event_type, region, user_id, session_id, value,
                          properties, received_at, correlation_id, source, late, kafka_partition, kafka_offset)
  select event_id, event_time, event_type, region, user_id, session_id, value,
         properties, received_at, correlation_id, source, is_late, kafka_partition, kafka_offset
  from input i
  where case when i.probe then not exists (
          select 1 from raw_events r
          where r.event_id = i.event_id
            and r.event_time between i.received_at - interval '1 day' and i.received_at + interval '1 minute')
        else true end
  on conflict do nothing
  returning event_time, event_type, coalesce(region, '${UNKNOWN_REGION}') as region, user_id, value, late
),
windowed as (
  select date_bin(make_interval(secs => s.size), i.event_time, timestamptz 'epoch') as window_start,
         s.size as window_seconds, i.event_type, i.region, i.user_id, i.value
  from inserted i cross join unnest(string_to_array($1::text, ',')::int[]) as s(size)
  where not i.late
),
rolled as (${ROLLUP_INSERT_SQL})
select event_type, region, floor(extract(epoch from event_time))::int8 as second,
       count(*)::int as count, late
from inserted
group by 1, 2, 3, 5
`;

function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** COPY text format: tab-separated, \\N for null, backslash escapes. */
function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : value;
}

function toCopyText(batch: ConsumedEvent[]): string {
  const lines = batch.map(({ event, partition, offset, late, maybeClosed }) =>
    [
      copyField(event.event_id),
      toIso(event.timestamp),
      copyField(event.event_type),
      copyField(event.region ?? null),
      copyField(event.user_id ?? null),
      copyField(event.session_id ?? null),
      event.value === undefined ? "\\N" : String(event.value),
      copyField(event.properties ? JSON.stringify(event.properties) : null),
      toIso(event.received_at),
      copyField(event.correlation_id),
      copyField(JSON.stringify(event.source)),
      late ? "t" : "f",
      maybeClosed ? "t" : "f",
      String(partition),
      String(offset),
      event.id_supplied && !event.timestamp_supplied ? "t" : "f",
    ].join("\t"),
  );
  return lines.join("\n") + "\n";
}

async function copyIntoStaging(tx: TransactionSql, batch: ConsumedEvent[]): Promise<void> {
  const stream = await tx.unsafe("copy persist_staging from stdin").writable();
  await new Promise<void>((resolve, reject) => {
    stream.once("error", reject);
    stream.once("finish", resolve);
    stream.end(toCopyText(batch));
  });
}

function progressJson(progress: PartitionProgress[]): string {
  return JSON.stringify(
    progress.map((p) => ({
      group_id: p.groupId,
      topic: p.topic,
      partition: p.partition,
      next_offset: p.nextOffset,
      max_event_time: p.maxEventTime === undefined ? null : toIso(p.maxEventTime),
    })),
  );
}

/** Keeps the first of several messages with the same event id (one statement may not see its own rows). */
export function dropRepeatedIds(batch: ConsumedEvent[]): ConsumedEvent[] {
  const seen = new Set<string>();
  return batch.filter(({ event }) => {
    if (seen.has(event.event_id)) return false;
    seen.add(event.event_id);
    return true;
  });
}

/**
 * Stores a batch in one transaction: new raw events, aggregate increments computed from
 * only the rows actually inserted (a redelivered or retried event adds nothing), the next
 * offsets and the partitions' watermarks. Either all of it is durable or none of it is.
 */
export async function persistBatch(
  sql: Sql,
  batch: ConsumedEvent[],
  progress: PartitionProgress[],
  windowSizesSeconds: readonly number[],
): Promise<PersistResult> {
  const unique = dropRepeatedIds(batch);
  const largestWindow = Math.max(...windowSizesSeconds);
  // Statements that do not depend on each other are sent together (postgres.js pipelines
  // queries issued concurrently on one connection): fewer round trips per batch.
  return sql.begin(async (tx) => {
    await Promise.all([tx`select pg_advisory_xact_lock_shared(${REPLAY_LOCK_KEY})`, tx.unsafe(STAGING_DDL)]);
    if (unique.length > 0) await copyIntoStaging(tx, unique);
    const json = progressJson(progress);
    const [rows] = await Promise.all([
      unique.length === 0
        ? Promise.resolve([])
        : tx.unsafe<{ event_type: string; region: string; second: string; count: number; late: boolean }[]>(
            PERSIST_SQL,
            [windowSizesSeconds.join(","), largestWindow],
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

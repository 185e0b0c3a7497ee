import "server-only";
import type { Sql } from "../client";

export interface StoredPartition {
  topic: string;
  partition: number;
  nextOffset: number | undefined;
  maxEventTime: number | undefined;
}

/** The offsets and watermarks PostgreSQL holds for these partitions (the source of truth). */
export async function readStoredProgress(
  sql: Sql,
  groupId: string,
  assignment: Record<string, number[]>,
): Promise<StoredPartition[]> {
  const wanted = Object.entries(assignment).flatMap(([topic, partitions]) =>
    partitions.map((partition) => ({ topic, partition })),
  );
  if (wanted.length === 0) return [];
  const rows = await sql<
    { topic: string; partition: number; next_offset: string | null; max_event_time: string | Date | null }[]
  >`
    select w.topic, w.partition, o.next_offset, m.max_event_time
    from json_to_recordset(${JSON.stringify(wanted)}::text::json) as w(topic text, partition int)
    left join consumer_offsets o on o.group_id = ${groupId} and o.topic = w.topic and o.partition = w.partition
    left join partition_watermarks m on m.group_id = ${groupId} and m.topic = w.topic and m.partition = w.partition`;
  return rows.map((row) => ({
    topic: row.topic,
    partition: row.partition,
    nextOffset: row.next_offset === null ? undefined : Number(row.next_offset),
    maxEventTime: row.max_event_time === null ? undefined : new Date(row.max_event_time).getTime(),
  }));
}

/** The next offsets PostgreSQL holds for a group's partitions of these topics, by "topic/partition". */
export async function readStoredOffsets(
  sql: Sql,
  groupId: string,
  topics: string[],
): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const rows = await sql<{ topic: string; partition: number; next_offset: string }[]>`
    select topic, partition, next_offset from consumer_offsets
    where group_id = ${groupId} and topic in ${sql(topics)}`;
  return new Map(rows.map((row) => [`${row.topic}/${row.partition}`, Number(row.next_offset)]));
}

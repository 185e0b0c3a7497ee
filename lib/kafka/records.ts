import { partitionKeyFor } from "../events/routing";
import type { EnrichedEvent } from "../events/schema";
import type { OutgoingMessage } from "./batcher";
import { murmur2Partition } from "./murmur2";

export const CORRELATION_HEADER = "x-correlation-id";
export const EVENT_COUNT_HEADER = "x-event-count";
/** Records stay well under the broker's default 1 MiB message limit. */
export const MAX_RECORD_BYTES = 512 * 1024;

/** The partition Kafka's default (murmur2) partitioner gives `key` on a topic of `count` partitions. */
export function partitionForKey(key: string, count: number): number {
  return murmur2Partition(key, count);
}

/**
 * One request's events as Kafka records. Events whose keys (user, else session, else event
 * id) hash to the same partition share a record whose value is a JSON array of events, so
 * a user's events stay on one partition and in order, exactly as with a record per event,
 * at a fraction of the per-record cost. Records are split before MAX_RECORD_BYTES.
 */
export function packEvents(
  events: EnrichedEvent[],
  topicOf: (event: EnrichedEvent) => string,
  partitionCount: (topic: string) => number | undefined,
  correlationId: string,
): OutgoingMessage[] {
  const groups = new Map<
    string,
    { topic: string; partition: number | undefined; key: string; parts: string[]; bytes: number }
  >();
  const records: OutgoingMessage[] = [];
  const flush = (group: { topic: string; partition: number | undefined; key: string; parts: string[] }) => {
    records.push({
      topic: group.topic,
      partition: group.partition,
      key: group.key,
      value: `[${group.parts.join(",")}]`,
      headers: { [CORRELATION_HEADER]: correlationId, [EVENT_COUNT_HEADER]: String(group.parts.length) },
    });
  };
  for (const event of events) {
    const topic = topicOf(event);
    const key = partitionKeyFor(event);
    const count = partitionCount(topic);
    // Unknown partition count: a record of its own, partitioned by Kafka from its key.
    const partition = count === undefined ? undefined : partitionForKey(key, count);
    const groupKey = partition === undefined ? `${topic}\u0000key\u0000${key}` : `${topic}\u0000${partition}`;
    const json = JSON.stringify(event);
    let group = groups.get(groupKey);
    if (group && group.bytes + json.length > MAX_RECORD_BYTES) {
      flush(group);
      group = undefined;
    }
    if (!group) {
      group = { topic, partition, key, parts: [], bytes: 2 };
      groups.set(groupKey, group);
    }
    group.parts.push(json);
    group.bytes += json.length + 1;
  }
  for (const group of groups.values()) flush(group);
  return records;
}

import { DEFAULT_PROJECT_ID } from "../domain/projects";
import { partitionKeyFor } from "../events/routing";
import type { EnrichedEvent, WireEvent } from "../events/schema";
import type { OutgoingMessage } from "./batcher";
import { murmur2Partition } from "./murmur2";

export const CORRELATION_HEADER = "x-correlation-id";
export const EVENT_COUNT_HEADER = "x-event-count";
/** Set on packed records: what the request's events share travels once, in headers. */
export const RECEIVED_AT_HEADER = "x-received-at";
export const SOURCE_HEADER = "x-source";
/** The project of every event of a record (its ingest key's). */
export const PROJECT_HEADER = "x-project";
/** Records stay well under the broker's default 1 MiB message limit. */
export const MAX_RECORD_BYTES = 512 * 1024;

/** The events of one record in the making. */
interface Group {
  topic: string;
  partition: number | undefined;
  key: string;
  events: WireEvent[];
}

/** What every event of one request shares; a packed record's headers carry it once. */
export interface RecordContext {
  correlationId: string;
  receivedAt: number;
  source: EnrichedEvent["source"];
  projectId: string;
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

function headerText(value: HeaderValue): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * The items of a record's value (one event or a packed array), each completed from the
 * record's headers where it left a shared field out. Items are returned as found
 * otherwise: validating them is the reader's job. Throws on a value that is not JSON.
 */
export function unpackRecord(value: string, headers: Record<string, HeaderValue> | undefined): unknown[] {
  const parsed: unknown = JSON.parse(value);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  // the header decides the project: an event's own project_id field is never trusted over it;
  // a record from before projects existed belongs to the default project
  const project = headerText(headers?.[PROJECT_HEADER]);
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
    const event = item as Record<string, unknown>;
    if (project !== undefined) event.project_id = project;
    else event.project_id ??= DEFAULT_PROJECT_ID;
  }
  const receivedAt = headerText(headers?.[RECEIVED_AT_HEADER]);
  if (receivedAt === undefined) return items; // a record of one full event, or an older packed one
  const shared = {
    received_at: Number(receivedAt),
    correlation_id: headerText(headers?.[CORRELATION_HEADER]),
    source: JSON.parse(headerText(headers?.[SOURCE_HEADER]) ?? "null") as unknown,
  };
  // the parsed objects are this function's own: completed in place, no copies
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
    const event = item as Record<string, unknown>;
    event.received_at ??= shared.received_at;
    event.timestamp ??= event.received_at;
    event.correlation_id ??= shared.correlation_id;
    event.source ??= shared.source;
    event.id_supplied ??= false;
    event.timestamp_supplied ??= false;
  }
  return items;
}

/**
 * One request's events as Kafka records. Events whose keys (user, else session, else event
 * id) hash to the same partition share a record whose value is a JSON array of events, so
 * a user's events stay on one partition and in order, exactly as with a record per event,
 * at a fraction of the per-record cost. A record over MAX_RECORD_BYTES is split in halves.
 * What the events of a request share (receive time, correlation id, source: ~40 % of an
 * event's bytes) travels once, in the record's headers; `unpackRecord` puts it back.
 */
export function packEvents(
  events: WireEvent[],
  topicOf: (event: WireEvent) => string,
  partitionCount: (topic: string) => number | undefined,
  context: RecordContext,
): OutgoingMessage[] {
  // by topic, then by partition (an array index: no key string per event); records whose
  // partition Kafka chooses (count unknown) are grouped by their key
  const groups = new Map<string, (Group | undefined)[]>();
  const groupsByKey = new Map<string, Group>();
  for (const event of events) {
    const topic = topicOf(event);
    const key = partitionKeyFor(event);
    const count = partitionCount(topic);
    let group: Group | undefined;
    if (count === undefined) {
      // unknown partition count: partitioned by Kafka from the key
      const byKey = `${topic}\u0000${key}`;
      group = groupsByKey.get(byKey);
      if (!group) groupsByKey.set(byKey, (group = { topic, partition: undefined, key, events: [] }));
    } else {
      const partition = murmur2Partition(key, count);
      let slots = groups.get(topic);
      if (!slots) groups.set(topic, (slots = []));
      group = slots[partition] ??= { topic, partition, key, events: [] };
    }
    group.events.push(event);
  }
  const headers = {
    [CORRELATION_HEADER]: context.correlationId,
    [RECEIVED_AT_HEADER]: String(context.receivedAt),
    [SOURCE_HEADER]: JSON.stringify(context.source),
    [PROJECT_HEADER]: context.projectId,
  };
  const records: OutgoingMessage[] = [];
  const write = (group: Group, part: WireEvent[]) => {
    // one native JSON.stringify per record: cheaper than writing each event's JSON
    const value = JSON.stringify(part);
    if (
      part.length > 1 &&
      value.length * 3 > MAX_RECORD_BYTES &&
      Buffer.byteLength(value) > MAX_RECORD_BYTES
    ) {
      const half = Math.ceil(part.length / 2);
      write(group, part.slice(0, half));
      write(group, part.slice(half));
      return;
    }
    records.push({
      topic: group.topic,
      partition: group.partition,
      key: group.key,
      value,
      headers: { ...headers, [EVENT_COUNT_HEADER]: String(part.length) },
    });
  };
  for (const slots of groups.values()) for (const group of slots) if (group) write(group, group.events);
  for (const group of groupsByKey.values()) write(group, group.events);
  return records;
}

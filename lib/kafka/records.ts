import { partitionKeyFor } from "../events/routing";
import type { EnrichedEvent } from "../events/schema";
import type { OutgoingMessage } from "./batcher";
import { murmur2Partition } from "./murmur2";

export const CORRELATION_HEADER = "x-correlation-id";
export const EVENT_COUNT_HEADER = "x-event-count";
/** Set on packed records: what the request's events share travels once, in headers. */
export const RECEIVED_AT_HEADER = "x-received-at";
export const SOURCE_HEADER = "x-source";
/** Records stay well under the broker's default 1 MiB message limit. */
export const MAX_RECORD_BYTES = 512 * 1024;

/** The events of one record in the making. */
interface Group {
  topic: string;
  partition: number | undefined;
  key: string;
  parts: string[];
  bytes: number;
}

/** What every event of one request shares; a packed record's headers carry it once. */
interface Shared {
  correlationId: string;
  receivedAt: number;
  source: EnrichedEvent["source"];
  sourceJson: string;
}

function sameSource(a: EnrichedEvent["source"], b: EnrichedEvent["source"]): boolean {
  return a === b || (a.api_version === b.api_version && a.user_agent === b.user_agent);
}

// Ids, types and regions are validated to these characters: no JSON escaping to do.
const PLAIN_TEXT = /^[\w.:-]*$/;

function jsonString(text: string): string {
  return PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text);
}

/**
 * The event's JSON without what the record's headers already say: its request's receive
 * time, correlation id and source, a time equal to the receive time, and false flags.
 * A field that differs from the request's stays in the event. Written field by field
 * (half the cost of building an object for JSON.stringify).
 */
function compactJson(event: EnrichedEvent, shared: Shared): string {
  let json = `{"event_id":${jsonString(event.event_id)},"event_type":${jsonString(event.event_type)}`;
  if (event.timestamp !== event.received_at || event.timestamp_supplied)
    json += `,"timestamp":${JSON.stringify(event.timestamp)}`;
  if (event.user_id !== undefined) json += `,"user_id":${jsonString(event.user_id)}`;
  if (event.session_id !== undefined) json += `,"session_id":${jsonString(event.session_id)}`;
  if (event.region !== undefined) json += `,"region":${jsonString(event.region)}`;
  if (event.value !== undefined) json += `,"value":${JSON.stringify(event.value)}`;
  if (event.properties !== undefined) json += `,"properties":${JSON.stringify(event.properties)}`;
  if (event.received_at !== shared.receivedAt) json += `,"received_at":${JSON.stringify(event.received_at)}`;
  if (event.correlation_id !== shared.correlationId)
    json += `,"correlation_id":${jsonString(event.correlation_id)}`;
  if (!sameSource(event.source, shared.source)) json += `,"source":${JSON.stringify(event.source)}`;
  if (event.id_supplied) json += `,"id_supplied":true`;
  if (event.timestamp_supplied) json += `,"timestamp_supplied":true`;
  return `${json}}`;
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
 * at a fraction of the per-record cost. Records are split before MAX_RECORD_BYTES. What the
 * events of a request share (receive time, correlation id, source: ~40 % of an event's
 * bytes) travels once, in the record's headers; `unpackRecord` puts it back.
 */
export function packEvents(
  events: EnrichedEvent[],
  topicOf: (event: EnrichedEvent) => string,
  partitionCount: (topic: string) => number | undefined,
  correlationId: string,
): OutgoingMessage[] {
  // by topic, then by partition (an array index: no key string per event); records whose
  // partition Kafka chooses (count unknown) are grouped by their key
  const groups = new Map<string, (Group | undefined)[]>();
  const groupsByKey = new Map<string, Group>();
  const records: OutgoingMessage[] = [];
  const first = events[0];
  if (!first) return records;
  const shared: Shared = {
    correlationId,
    receivedAt: first.received_at,
    source: first.source,
    sourceJson: JSON.stringify(first.source),
  };
  const flush = (group: Group) => {
    records.push({
      topic: group.topic,
      partition: group.partition,
      key: group.key,
      value: `[${group.parts.join(",")}]`,
      headers: {
        [CORRELATION_HEADER]: correlationId,
        [EVENT_COUNT_HEADER]: String(group.parts.length),
        [RECEIVED_AT_HEADER]: String(shared.receivedAt),
        [SOURCE_HEADER]: shared.sourceJson,
      },
    });
  };
  for (const event of events) {
    const topic = topicOf(event);
    const key = partitionKeyFor(event);
    const count = partitionCount(topic);
    // Unknown partition count: a record of its own, partitioned by Kafka from its key.
    const partition = count === undefined ? undefined : murmur2Partition(key, count);
    const json = compactJson(event, shared);
    let slots: (Group | undefined)[] | undefined;
    let group: Group | undefined;
    if (partition === undefined) {
      group = groupsByKey.get(`${topic}\u0000${key}`);
    } else {
      slots = groups.get(topic);
      if (!slots) groups.set(topic, (slots = []));
      group = slots[partition];
    }
    if (group && group.bytes + json.length > MAX_RECORD_BYTES) {
      flush(group);
      group = undefined;
    }
    if (!group) {
      group = { topic, partition, key, parts: [], bytes: 2 };
      if (slots && partition !== undefined) slots[partition] = group;
      else groupsByKey.set(`${topic}\u0000${key}`, group);
    }
    group.parts.push(json);
    group.bytes += json.length + 1;
  }
  for (const slots of groups.values()) for (const group of slots) if (group) flush(group);
  for (const group of groupsByKey.values()) flush(group);
  return records;
}

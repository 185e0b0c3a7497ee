import type { EnrichedEvent } from "./schema";

export const OTHER_TOPIC_SUFFIX = "other";

export interface TopicConfig {
  prefix: string;
  eventTypes: readonly string[];
}

/** `events.<type>` for a configured type, `events.other` for the rest. */
export function topicForType(eventType: string, config: TopicConfig): string {
  const suffix = config.eventTypes.includes(eventType) ? eventType : OTHER_TOPIC_SUFFIX;
  return `${config.prefix}events.${suffix}`;
}

/** Every topic the application owns, in a stable order. */
export function listEventTopics(config: TopicConfig): string[] {
  const types = [...new Set(config.eventTypes)].filter((type) => type !== OTHER_TOPIC_SUFFIX);
  return [...types, OTHER_TOPIC_SUFFIX].map((suffix) => `${config.prefix}events.${suffix}`);
}

/** Partition key: a user's events stay in order on one partition; else the session's; else the event's. */
export function partitionKeyFor(event: Pick<EnrichedEvent, "user_id" | "session_id" | "event_id">): string {
  return event.user_id ?? event.session_id ?? event.event_id;
}

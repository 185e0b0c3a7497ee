import { uuidv7 } from "uuidv7";
import type { EnrichedEvent } from "./schema";
import type { ValidEvent } from "./validate";

export interface RequestContext {
  receivedAt: number;
  correlationId: string;
  userAgent: string | undefined;
}

/** Adds what the server knows: id, receive time, correlation id, source. No client IP is kept. */
export function enrichEvent(valid: ValidEvent, context: RequestContext): EnrichedEvent {
  const { input } = valid;
  const event: EnrichedEvent = {
    event_id: input.event_id ?? uuidv7(),
    event_type: input.event_type,
    timestamp: valid.timestamp ?? context.receivedAt,
    received_at: context.receivedAt,
    correlation_id: context.correlationId,
    id_supplied: input.event_id !== undefined,
    timestamp_supplied: valid.timestamp !== undefined,
    source: {
      ...(context.userAgent ? { user_agent: context.userAgent.slice(0, 256) } : {}),
      api_version: 1,
    },
  };
  if (input.user_id !== undefined) event.user_id = input.user_id;
  if (input.session_id !== undefined) event.session_id = input.session_id;
  if (input.region !== undefined) event.region = input.region;
  if (input.value !== undefined) event.value = input.value;
  if (input.properties !== undefined) event.properties = input.properties;
  return event;
}

import { randomFillSync } from "node:crypto";
import { V7Generator } from "uuidv7";
import type { EnrichedEvent } from "./schema";
import type { ValidEvent } from "./validate";

export interface RequestContext {
  receivedAt: number;
  correlationId: string;
  userAgent: string | undefined;
}

// The package refills 8 random words per crypto call; a request of 500 events would make
// ~150 calls. One call per 1,024 words; same source (the OS's CSPRNG), same ids.
const randomWords = new Uint32Array(1024);
let randomCursor = randomWords.length;
const ids = new V7Generator({
  nextUint32: () => {
    if (randomCursor >= randomWords.length) {
      randomFillSync(randomWords);
      randomCursor = 0;
    }
    return randomWords[randomCursor++] ?? 0;
  },
});

/** Adds what the server knows: id, receive time, correlation id, source. No client IP is kept. */
export function enrichEvent(valid: ValidEvent, context: RequestContext): EnrichedEvent {
  const { input } = valid;
  const event: EnrichedEvent = {
    event_id: input.event_id ?? ids.generate().toString(),
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

import type { IHeaders } from "kafkajs";
import { z } from "zod";
import { jsonObject, type EnrichedEvent } from "@/lib/events/schema";
import { unpackRecord } from "@/lib/kafka/records";

// What the ingest route wrote; checked again here because a topic may hold anything.
const enrichedSchema = z.object({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  timestamp: z.number().finite(),
  received_at: z.number().finite(),
  user_id: z.string().optional(),
  session_id: z.string().optional(),
  region: z.string().optional(),
  value: z.number().optional(),
  properties: jsonObject.optional(),
  correlation_id: z.string(),
  id_supplied: z.boolean(),
  timestamp_supplied: z.boolean(),
  source: z.object({ user_agent: z.string().optional(), api_version: z.literal(1) }),
});

export interface DecodedRecord {
  events: EnrichedEvent[];
  /** Parts that are not events, with the reason (they go to the dead-letter topic). */
  failures: { value: string | null; reason: string }[];
}

function checkEvent(json: unknown): { ok: true; event: EnrichedEvent } | { ok: false; reason: string } {
  const parsed = enrichedSchema.safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data as EnrichedEvent };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid field ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}` };
}

/**
 * Parses one Kafka record: one event, or a JSON array of events (records packed per
 * partition by the ingest route, their shared fields in the headers). A bad record or
 * element is reported, never thrown.
 */
export function decodeRecord(value: Buffer | null, headers?: IHeaders): DecodedRecord {
  if (value === null) return { events: [], failures: [{ value: null, reason: "empty message" }] };
  const text = value.toString("utf8");
  let items: unknown[];
  try {
    items = unpackRecord(text, headers);
  } catch {
    return { events: [], failures: [{ value: text, reason: "not JSON" }] };
  }
  const decoded: DecodedRecord = { events: [], failures: [] };
  for (const item of items) {
    const result = checkEvent(item);
    if (result.ok) decoded.events.push(result.event);
    else decoded.failures.push({ value: JSON.stringify(item), reason: result.reason });
  }
  return decoded;
}

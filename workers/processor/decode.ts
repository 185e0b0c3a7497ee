import { z } from "zod";
import type { EnrichedEvent } from "@/lib/events/schema";

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
  properties: z.record(z.string(), z.unknown()).optional(),
  correlation_id: z.string(),
  id_supplied: z.boolean(),
  timestamp_supplied: z.boolean(),
  source: z.object({ user_agent: z.string().optional(), api_version: z.literal(1) }),
});

export type DecodeResult = { ok: true; event: EnrichedEvent } | { ok: false; reason: string };

/** Parses one Kafka message value; a bad one is reported, never thrown. */
export function decodeEvent(value: Buffer | null): DecodeResult {
  if (value === null) return { ok: false, reason: "empty message" };
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = enrichedSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `invalid field ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}` };
  }
  return { ok: true, event: parsed.data as EnrichedEvent };
}

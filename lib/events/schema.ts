import type { z } from "zod";
import type { eventInputSchema, recordEventSchema } from "./fields";

/**
 * The incoming event and its forms on the way to the processor, all derived from the field
 * table (fields.ts), where each field is declared once.
 */
export { EVENT_TYPE_PATTERN, eventInputSchema, jsonObject } from "./fields";
export const MAX_PROPERTIES_DEPTH = 10;

export type EventInput = z.infer<typeof eventInputSchema>;

/**
 * An accepted event as it travels through Kafka, as the field table declares it (fields.ts):
 * times are epoch milliseconds; `id_supplied` and `timestamp_supplied` say whether the
 * client chose the id (so a retry may repeat it) and sent the time.
 */
export type EnrichedEvent = z.output<typeof recordEventSchema>;

/** What the request's events share; a packed record's headers carry it once. */
type SharedField = "received_at" | "correlation_id" | "source" | "project_id";

/**
 * An accepted event as its Kafka record carries it: what the request's events share
 * travels once, in the record's headers, and a time or flag equal to its default is left
 * out (`unpackRecord` puts them back): an absent `timestamp` is the request's receive time.
 * The ingest route makes it from the parsed request in place, without a copy.
 */
export type WireEvent = Omit<
  EnrichedEvent,
  SharedField | "timestamp" | "id_supplied" | "timestamp_supplied"
> & {
  timestamp?: number;
  id_supplied?: true;
  timestamp_supplied?: true;
};

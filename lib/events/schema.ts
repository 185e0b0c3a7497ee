import { z } from "zod";

/**
 * The one definition of an incoming event. The API, the simulator, the processor and the
 * OpenAPI document all use it.
 */
export const EVENT_TYPE_PATTERN = /^[a-z0-9_.-]{1,64}$/;
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const MAX_PROPERTIES_DEPTH = 10;

const isoTimestamp = z.iso.datetime({ offset: true, local: false });

/**
 * A JSON object (any keys, any values), checked in place: z.record would copy every key of
 * every event's properties, half the cost of validating an event.
 */
export const jsonObject = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    { message: "must be a JSON object" },
  )
  .meta({ type: "object", description: "a JSON object: any keys, any values" });

export const eventInputSchema = z.strictObject({
  event_type: z
    .string()
    .regex(EVENT_TYPE_PATTERN, "must be 1-64 characters of lowercase letters, digits, _ . -"),
  event_id: z.string().regex(ID_PATTERN, "must be 1-128 characters of letters, digits, _ . : -").optional(),
  timestamp: z
    .union([isoTimestamp, z.number().int("must be an integer number of milliseconds").nonnegative()])
    .optional(),
  user_id: z.string().min(1).max(128).optional(),
  session_id: z.string().min(1).max(128).optional(),
  region: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1-64 characters of letters, digits, _ . : -")
    .optional(),
  value: z.number().optional(),
  properties: jsonObject.optional(),
});

export type EventInput = z.infer<typeof eventInputSchema>;

/** An accepted event as it travels through Kafka: times are epoch milliseconds. */
export interface EnrichedEvent {
  event_id: string;
  event_type: string;
  timestamp: number;
  received_at: number;
  user_id?: string;
  session_id?: string;
  region?: string;
  value?: number;
  properties?: Record<string, unknown>;
  correlation_id: string;
  /** The client chose the id (so a retry may repeat it) and whether it sent the time. */
  id_supplied: boolean;
  timestamp_supplied: boolean;
  source: { user_agent?: string; api_version: 1 };
}

/**
 * An accepted event as its Kafka record carries it: what the request's events share
 * (receive time, correlation id, source) travels once, in the record's headers, and a
 * time or flag equal to its default is left out (`unpackRecord` puts them back). The
 * ingest route makes it from the parsed request in place, without a copy.
 */
export interface WireEvent {
  event_id: string;
  event_type: string;
  /** Absent: the request's receive time. */
  timestamp?: number;
  user_id?: string;
  session_id?: string;
  region?: string;
  value?: number;
  properties?: Record<string, unknown>;
  id_supplied?: true;
  timestamp_supplied?: true;
}

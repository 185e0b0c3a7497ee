import { z } from "zod";
import { PROJECT_ID_PATTERN } from "@/lib/domain/projects";

/**
 * The event's fields, declared once. Everything else about an event's shape is derived from
 * this table: the client's schema (`eventInputSchema`), the processor's check of a Kafka
 * record (`recordEventSchema`), the staging table, its COPY line and the insert's column lists
 * (lib/services/events/staging.ts), and the CSV export's columns. A new field is one entry
 * here plus its `raw_events` column and migration (docs/contributing.md).
 */

/** A measured value: its sums, averages and quantiles per window are exact float8 arithmetic. */
export const MAX_ABS_VALUE = 1e15;
const valueSchema = z
  .number()
  .min(-MAX_ABS_VALUE, "must be between -1e15 and 1e15")
  .max(MAX_ABS_VALUE, "must be between -1e15 and 1e15");

export const EVENT_TYPE_PATTERN = /^[a-z0-9_.-]{1,64}$/;
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

const isoTimestamp = z.iso.datetime({ offset: true, local: false });

/**
 * A time in a Kafka record, epoch milliseconds: from 1970 to the end of year 9999. The ingest
 * route sends only recent times; a record from elsewhere with a time PostgreSQL or Date cannot
 * hold (1e20) would fail every write of its batch, so it is dead-lettered instead.
 */
const MAX_RECORD_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const recordTime = z.number().min(0).max(MAX_RECORD_TIME_MS);

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

/**
 * How a field is written in the staging table's COPY text, and its SQL type there:
 * `ms` is epoch milliseconds staged as int8 (`<column>_ms`) and stored as timestamptz.
 */
export type StagingKind = "text" | "ms" | "float8" | "jsonb" | "bool";

export interface EventField {
  /** The client's check (with `.optional()` when it may be left out); absent: the server sets it. */
  input?: z.ZodType;
  /** The processor's check of the field in a Kafka record. */
  record: z.ZodType;
  staging: StagingKind;
  /** Its `raw_events` column; absent: staged for the insert's rules only, not stored. */
  column?: string;
  /** A column of GET /api/events' rows and of the CSV export, under the field's name. */
  exported: boolean;
}

/** The sender of a request, as its events carry it. */
export const eventSourceSchema = z.strictObject({
  user_agent: z.string().optional(),
  api_version: z.literal(1),
});

/**
 * In the CSV export's column order. An optional field's `record` check is optional too;
 * `EnrichedEvent` (schema.ts) must match the checks (a compile-time test says so).
 */
export const EVENT_FIELDS = {
  event_id: {
    input: z.string().regex(ID_PATTERN, "must be 1-128 characters of letters, digits, _ . : -").optional(),
    record: z.string().min(1),
    staging: "text",
    column: "event_id",
    exported: true,
  },
  timestamp: {
    input: z
      .union([isoTimestamp, z.number().int("must be an integer number of milliseconds").nonnegative()])
      .optional(),
    record: recordTime,
    staging: "ms",
    column: "event_time",
    exported: true,
  },
  received_at: { record: recordTime, staging: "ms", column: "received_at", exported: true },
  event_type: {
    input: z
      .string()
      .regex(EVENT_TYPE_PATTERN, "must be 1-64 characters of lowercase letters, digits, _ . -"),
    record: z.string().min(1),
    staging: "text",
    column: "event_type",
    exported: true,
  },
  region: {
    input: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1-64 characters of letters, digits, _ . : -")
      .optional(),
    record: z.string().optional(),
    staging: "text",
    column: "region",
    exported: true,
  },
  user_id: {
    input: z.string().min(1).max(128).optional(),
    record: z.string().optional(),
    staging: "text",
    column: "user_id",
    exported: true,
  },
  session_id: {
    input: z.string().min(1).max(128).optional(),
    record: z.string().optional(),
    staging: "text",
    column: "session_id",
    exported: true,
  },
  value: {
    // bounded so that a window's sum of up to millions of values stays far from float8's
    // overflow: one event of 1e308 failed every batch write that held it, for good
    input: valueSchema.optional(),
    record: valueSchema.optional(),
    staging: "float8",
    column: "value",
    exported: true,
  },
  properties: {
    input: jsonObject.optional(),
    record: jsonObject.optional(),
    staging: "jsonb",
    column: "properties",
    exported: true,
  },
  correlation_id: { record: z.string(), staging: "text", column: "correlation_id", exported: true },
  source: { record: eventSourceSchema, staging: "jsonb", column: "source", exported: false },
  /** The project of the ingest key that sent it: set by the server, never by the client. */
  project_id: {
    record: z.string().regex(PROJECT_ID_PATTERN),
    staging: "text",
    column: "project_id",
    exported: false,
  },
  /** The client chose the id (so a retry may repeat it) and whether it sent the time. */
  id_supplied: { record: z.boolean(), staging: "bool", exported: false },
  timestamp_supplied: { record: z.boolean(), staging: "bool", exported: false },
} as const satisfies Record<string, EventField>;

type Fields = typeof EVENT_FIELDS;
export type EventFieldName = keyof Fields;

/** The fields a client may send. */
export type ClientFieldName = {
  [K in EventFieldName]: Fields[K] extends { input: z.ZodType } ? K : never;
}[EventFieldName];

/** The fields GET /api/events and the CSV export answer with. */
export type ExportedFieldName = {
  [K in EventFieldName]: Fields[K] extends { exported: true } ? K : never;
}[EventFieldName];

/** Table order; typed loosely on purpose, for code that walks every field. */
export const EVENT_FIELD_LIST: readonly (EventField & { name: EventFieldName })[] = (
  Object.keys(EVENT_FIELDS) as EventFieldName[]
).map((name) => ({ name, ...EVENT_FIELDS[name] }));

export const EXPORTED_FIELDS = EVENT_FIELD_LIST.filter((field) => field.exported).map(
  (field) => field.name,
) as readonly ExportedFieldName[];

function pickChecks<K extends EventFieldName, C extends "input" | "record">(
  check: C,
): { [P in K]: Fields[P] extends Record<C, infer T> ? T : never } {
  const shape: Record<string, z.ZodType> = {};
  for (const field of EVENT_FIELD_LIST) {
    const schema = field[check];
    if (schema) shape[field.name] = schema;
  }
  return shape as { [P in K]: Fields[P] extends Record<C, infer T> ? T : never };
}

/** What a client sends: unknown fields are refused. */
export const eventInputSchema = z.strictObject(pickChecks<ClientFieldName, "input">("input"));

/**
 * An accepted event as the processor reads it from a Kafka record. TRICKY: unknown fields
 * are refused (the record is dead-lettered with the field's name), never dropped silently:
 * a field the processor does not know would not be stored. Deploy the processor before the
 * ingest route when a field is added.
 */
export const recordEventSchema = z.strictObject(pickChecks<EventFieldName, "record">("record"));

/** A field as reads answer it: a time as ISO 8601 text, a field left out as null. */
type ReadValue<F> = F extends { staging: "ms" }
  ? string
  : F extends { record: infer S extends z.ZodType }
    ? undefined extends z.output<S>
      ? Exclude<z.output<S>, undefined> | null
      : z.output<S>
    : never;

/** The exported fields of a stored event, as GET /api/events and the CSV export answer them. */
export type ExportedEvent = { [K in ExportedFieldName]: ReadValue<Fields[K]> };

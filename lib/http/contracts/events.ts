import { z } from "zod";
import type { EventRow } from "@/db/queries/events";
import type { Figures } from "@/db/queries/aggregation-figures";
import { aggregationsQuery, listEventsQuery } from "../../events/query";
import { EVENT_FIELDS, EXPORTED_FIELDS, type EventField, type ExportedFieldName } from "../../events/fields";
import { eventInputSchema } from "../../events/schema";
import type { IngestResult } from "../../services/events/ingest";
import { defineContract } from "../contract";
import { isoTime, page, type Assert, type Same } from "./shapes";

/** Contracts of ingestion (POST /api/events) and of the reads of events and aggregates. */

const ingestResult = z.object({
  accepted: z.number().int(),
  event_ids: z.array(z.string()).meta({ description: "in request order: resend them with a retry" }),
});
type _IngestResult = Assert<Same<z.output<typeof ingestResult>, IngestResult>>;

export const ingestEvents = defineContract({
  name: "events.post",
  access: "ingest",
  method: "POST",
  path: "/api/events",
  summary: "Ingest one event, a JSON array of events, or NDJSON",
  description:
    "202 only after Kafka acknowledged every event. A request with any invalid event is rejected whole; unknown fields are rejected. At most INGEST_MAX_EVENTS events (1,000 by default) and INGEST_MAX_BODY_BYTES (1 MiB). A 503 broker_unavailable carries `event_ids`: retry with them and no event is counted twice.",
  rawBody: {
    "application/json": z.union([eventInputSchema, z.array(eventInputSchema).min(1)]),
    "application/x-ndjson": z.string().meta({ description: "one Event per line" }),
  },
  response: { status: 202, description: "Acknowledged by Kafka", schema: ingestResult },
  errors: [
    "invalid_json",
    "validation_failed",
    "payload_too_large",
    "too_many_events",
    "unsupported_media_type",
    "broker_unavailable",
    "cross_site_request",
  ],
  // bounded by PRODUCE_TIMEOUT_MS (then 503 broker_unavailable), not by the query deadline
  deadlineMs: false,
});

export const ingestPreflight = defineContract({
  name: "events.preflight",
  access: "public",
  method: "OPTIONS",
  path: "/api/events",
  summary: "CORS preflight for sending events from a web page",
  description:
    "Allowed (Access-Control-Allow-Origin) for an Origin that a project lists (npm run keys -- origins); a POST from a page of an origin its key's project does not list is refused with 403 cross_site_request.",
  response: { status: 204, description: "The CORS headers, for an allowed Origin only" },
  deadlineMs: false,
});

type Fields = typeof EVENT_FIELDS;
/** A field's answer schema: a time as ISO 8601 text, a field the client may leave out nullable. */
type ReadSchema<F> = F extends { staging: "ms" }
  ? typeof isoTime
  : F extends { record: z.ZodOptional<infer I extends z.ZodType> }
    ? z.ZodNullable<I>
    : F extends { record: infer S extends z.ZodType }
      ? S
      : never;

/** The exported fields' answer schemas, from the field table (lib/events/fields.ts). */
function exportedShape(): { [K in ExportedFieldName]: ReadSchema<Fields[K]> } {
  const shape: Record<string, z.ZodType> = {};
  for (const name of EXPORTED_FIELDS) {
    const field: EventField = EVENT_FIELDS[name];
    shape[name] =
      field.staging === "ms"
        ? isoTime
        : field.record instanceof z.ZodOptional
          ? z.nullable(field.record.unwrap())
          : field.record;
  }
  return shape as { [K in ExportedFieldName]: ReadSchema<Fields[K]> };
}

const eventRow = z.object({
  ...exportedShape(),
  late: z.boolean().meta({ description: "missed at least one of its windows" }),
});
type _EventRow = Assert<Same<z.output<typeof eventRow>, EventRow>>;

export const listEvents = defineContract({
  name: "events.get",
  access: "viewer",
  method: "GET",
  path: "/api/events",
  summary: "Raw events, newest first, with cursor pagination",
  query: listEventsQuery,
  response: { status: 200, description: "A page of events", schema: page(eventRow) },
});

/** GET /api/events/export: the filters of GET /api/events, without paging. */
export const exportQuery = listEventsQuery.omit({ limit: true, cursor: true }).extend({
  format: z.literal("csv").default("csv"),
  /** At most this many rows (newest first). */
  max: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});

export const exportEvents = defineContract({
  name: "events.export",
  access: "viewer",
  method: "GET",
  path: "/api/events/export",
  summary: "Every event matching the filters of GET /api/events, newest first, as a CSV download",
  description:
    "Streamed page by page. A failure after the first page aborts the download (the client sees it fail).",
  query: exportQuery,
  response: { status: 200, description: "CSV with a header row", contentType: "text/csv" },
});

const figures = z.object({
  window_start: isoTime,
  window_seconds: z.number().int(),
  event_type: z.string(),
  region: z.string(),
  count: z.number(),
  distinct_users: z.number().meta({ description: "HyperLogLog estimate" }),
  value_count: z.number(),
  sum: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  avg: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
type _Figures = Assert<Same<z.output<typeof figures>, Figures>>;

export const listAggregations = defineContract({
  name: "aggregations.get",
  access: "viewer",
  method: "GET",
  path: "/api/aggregations",
  summary: "Window figures of one series (event type or *, region or *)",
  query: aggregationsQuery,
  response: {
    status: 200,
    description: "Windows, oldest first (one page: next_cursor is always null)",
    schema: z.object({ data: z.array(figures), next_cursor: z.null() }),
  },
});

/** Response schemas the OpenAPI document names (components) instead of repeating them. */
export const eventSchemas = { StoredEvent: eventRow, WindowFigures: figures };

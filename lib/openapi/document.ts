import { z } from "zod";
import { anomaliesQuery, deliveriesQuery, incidentsQuery } from "../alerts/list-queries";
import { aggregationsQuery, listEventsQuery } from "../events/query";
import { eventInputSchema } from "../events/schema";

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers use, so the
 * documentation cannot drift from what the API accepts.
 */
type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
};

function queryParameters(schema: z.ZodObject): JsonSchema[] {
  const json = toSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

const errorBody = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "machine-readable, e.g. validation_failed, broker_unavailable" },
        message: { type: "string" },
        correlation_id: { type: "string" },
        details: {
          type: "array",
          items: {
            type: "object",
            properties: { index: { type: "integer" }, path: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
  },
};

const json = (schema: JsonSchema, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const errors = (codes: string) => json({ $ref: "#/components/schemas/Error" }, codes);

/** A list's answer: a page of items and the cursor of the next page (null on the last). */
const page = (description: string) =>
  json(
    {
      type: "object",
      required: ["data", "next_cursor"],
      properties: {
        data: { type: "array", items: { type: "object" } },
        next_cursor: { type: ["string", "null"], description: "pass back as `cursor`" },
      },
    },
    description,
  );

/** GET of a list endpoint whose query parameters `schema` defines. */
const listEndpoint = (summary: string, schema: z.ZodObject, description: string) => ({
  get: {
    summary,
    parameters: queryParameters(schema),
    responses: { "200": page(description), "400": errors("invalid_query") },
  },
});

export function buildOpenApiDocument(): JsonSchema {
  return {
    openapi: "3.1.0",
    info: {
      title: "Pulse analytics API",
      version: "1.0.0",
      description: "Ingest product events, query history and window aggregates, stream live figures.",
    },
    components: {
      schemas: { Event: toSchema(eventInputSchema), Error: errorBody },
    },
    paths: {
      "/api/events": {
        post: {
          summary: "Ingest one event, a JSON array of events, or NDJSON",
          description:
            "202 only after Kafka acknowledged every event. A request with any invalid event is rejected whole. Unknown fields are rejected.",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    { $ref: "#/components/schemas/Event" },
                    { type: "array", maxItems: 1000, items: { $ref: "#/components/schemas/Event" } },
                  ],
                },
              },
              "application/x-ndjson": { schema: { type: "string", description: "one Event per line" } },
            },
          },
          responses: {
            "202": json(
              {
                type: "object",
                properties: {
                  accepted: { type: "integer" },
                  event_ids: { type: "array", items: { type: "string" } },
                },
              },
              "Acknowledged by Kafka",
            ),
            "400": errors("invalid_json, validation_failed"),
            "413": errors("payload_too_large, too_many_events"),
            "415": errors("unsupported_media_type"),
            "503": errors("broker_unavailable (Retry-After set; the body carries event_ids to retry with)"),
          },
        },
        get: {
          summary: "Raw events, newest first, with cursor pagination",
          parameters: queryParameters(listEventsQuery),
          responses: {
            "200": json(
              {
                type: "object",
                properties: { data: { type: "array" }, next_cursor: { type: ["string", "null"] } },
              },
              "A page of events",
            ),
            "400": errors("invalid_query"),
          },
        },
      },
      "/api/aggregations": {
        get: {
          summary: "Window figures of one series (event type or *, region or *)",
          parameters: queryParameters(aggregationsQuery),
          responses: {
            "200": json(
              {
                type: "object",
                properties: { data: { type: "array" }, next_cursor: { type: "null" } },
              },
              "Windows, oldest first",
            ),
            "400": errors("invalid_query"),
          },
        },
      },
      "/api/metrics/realtime": {
        get: {
          summary: "Per-second totals, by type and region, and active sessions, from Redis",
          parameters: [
            { name: "seconds", in: "query", schema: { type: "integer", minimum: 1, maximum: 300 } },
          ],
          responses: { "200": json({ type: "object" }, "Real-time snapshot") },
        },
      },
      "/api/stream": {
        get: {
          summary: "Server-Sent Events: live counts, closed windows, anomalies, alert changes",
          responses: {
            "200": {
              description: "text/event-stream",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
          },
        },
      },
      "/api/health": {
        get: {
          summary: "Kafka, PostgreSQL and Redis reachability",
          responses: {
            "200": json({ type: "object" }, "ok or degraded"),
            "503": json({ type: "object" }, "down"),
          },
        },
      },
      "/api/anomalies": listEndpoint(
        "Anomalies, newest first",
        anomaliesQuery,
        "A page of anomalies (see docs/alerts.md)",
      ),
      "/api/alerts/rules": {
        get: {
          summary: "Every alert rule with its state (one page)",
          responses: { "200": page("Rules, newest first; next_cursor is always null") },
        },
      },
      "/api/alerts/incidents": listEndpoint(
        "Alert incidents, newest first",
        incidentsQuery,
        "A page of incidents",
      ),
      "/api/alerts/deliveries": listEndpoint(
        "The notification delivery log, newest first",
        deliveriesQuery,
        "A page of deliveries with their attempts",
      ),
      "/api/metrics": {
        get: {
          summary: "Prometheus exposition of the web app (all its processes, summed); also at /metrics",
          responses: {
            "200": {
              description: "Prometheus text format",
              content: { "text/plain": { schema: { type: "string" } } },
            },
          },
        },
      },
    },
  };
}

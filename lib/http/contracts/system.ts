import { z } from "zod";
import type { CardinalityStatus } from "@/db/queries/aggregation-regions";
import type { SystemPoint, WorkerSnapshot } from "@/db/queries/system-metrics";
import type { checkHealth } from "../../health";
import type { RealtimeSnapshot } from "../../realtime/read-counters";
import { defineContract } from "../contract";
import { isoTime, type Assert, type Same } from "./shapes";

/** Contracts of health, the System page's figures, live data and the API's own description. */

const dependencyStatus = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), latency_ms: z.number() }),
  z.object({ status: z.literal("down"), error: z.string() }),
]);
const health = z.object({
  status: z.enum(["ok", "degraded", "down", "draining"]).meta({
    description:
      "down: Kafka or PostgreSQL unreachable; degraded: Redis unreachable; draining: this process is shutting down",
  }),
  checks: z.object({ kafka: dependencyStatus, postgres: dependencyStatus, redis: dependencyStatus }),
});
type _Health = Assert<Same<z.output<typeof health>, Awaited<ReturnType<typeof checkHealth>>>>;

/** Response schemas the OpenAPI document names (components) instead of repeating them. */
export const systemSchemas = { Health: health };

export const getHealth = defineContract({
  name: "health",
  access: "public",
  method: "GET",
  path: "/api/health",
  summary: "Kafka, PostgreSQL and Redis reachability",
  response: { status: 200, description: "ok or degraded", schema: health },
  otherResponses: [{ status: 503, description: "down or draining", schema: health }],
});

const workerSnapshot = z.object({
  role: z.string(),
  instance: z.string(),
  recorded_at: isoTime,
  running: z.boolean(),
  events_in_per_second: z.number(),
  events_persisted_per_second: z.number(),
  consumer_lag: z.number(),
  lag_by_partition: z.record(z.string(), z.number()),
  batch_p50_ms: z.number().nullable(),
  batch_p99_ms: z.number().nullable(),
  late_events: z.number(),
  rss_bytes: z.number(),
});
type _WorkerSnapshot = Assert<Same<z.output<typeof workerSnapshot>, WorkerSnapshot>>;

const systemPoint = z.object({
  t: isoTime,
  events_in_per_second: z.number(),
  events_persisted_per_second: z.number(),
  consumer_lag: z.number(),
  batch_p99_ms: z.number().nullable(),
  instances: z.number().int(),
});
type _SystemPoint = Assert<Same<z.output<typeof systemPoint>, SystemPoint>>;

const cardinality = z.object({
  region_limit: z.number().int(),
  regions_admitted: z.number().int(),
  region_limit_reached: z.boolean(),
  unconfigured_types_last_hour: z.boolean(),
});
type _Cardinality = Assert<Same<z.output<typeof cardinality>, CardinalityStatus>>;

export const getSystem = defineContract({
  name: "system.get",
  access: "viewer",
  method: "GET",
  path: "/api/system",
  summary: "Dependency health, worker snapshots, throughput and lag, cardinality bounds",
  description:
    "Health is answered even while PostgreSQL is down: workers, series and cardinality are then null.",
  query: z.strictObject({
    minutes: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(60),
  }),
  response: {
    status: 200,
    description: "The System page's figures",
    schema: z.object({
      health,
      minutes: z.number().int(),
      bucket_seconds: z.number().int(),
      workers: z.array(workerSnapshot).nullable(),
      series: z.array(systemPoint).nullable(),
      cardinality: cardinality.nullable(),
    }),
  },
});

const realtimeSnapshot = z.object({
  now: z.number().int().meta({ description: "epoch seconds of the newest bucket" }),
  seconds: z.number().int(),
  series: z.array(z.object({ second: z.number().int(), total: z.number() })).meta({
    description: "events per second, oldest first",
  }),
  by_type: z.record(z.string(), z.number()),
  by_region: z.record(z.string(), z.number()),
  total: z.number(),
  active_sessions: z
    .number()
    .optional()
    .meta({ description: "distinct sessions of the last 30 minutes (HyperLogLog)" }),
});
type _Realtime = Assert<Same<z.output<typeof realtimeSnapshot>, RealtimeSnapshot>>;

export const getRealtime = defineContract({
  name: "metrics.realtime",
  access: "viewer",
  method: "GET",
  path: "/api/metrics/realtime",
  summary: "Per-second totals, by type and region, and active sessions, from Redis",
  query: z.strictObject({ seconds: z.coerce.number().int().min(1).max(300).default(300) }),
  response: { status: 200, description: "Real-time snapshot", schema: realtimeSnapshot },
});

export const getPrometheusMetrics = defineContract({
  name: "metrics",
  access: "public",
  method: "GET",
  path: "/api/metrics",
  summary: "Prometheus exposition of the web app (all its processes, summed); also at /metrics",
  response: { status: 200, description: "Prometheus text format", contentType: "text/plain" },
  // a scrape waits for the other processes' figures as it did before it had a contract
  deadlineMs: false,
});

export const openLiveStream = defineContract({
  name: "stream",
  access: "viewer",
  method: "GET",
  path: "/api/stream",
  summary: "Server-Sent Events: live counts, closed windows, anomalies, alert changes",
  description: "See docs/dashboard.md for the protocol. The Last-Event-ID header wins over the query.",
  // not strict: EventSource reconnects with the URL it was given
  query: z.object({
    last_event_id: z
      .string()
      .optional()
      .meta({ description: "resume after this event (for clients that cannot set Last-Event-ID)" }),
  }),
  response: { status: 200, description: "An event stream", contentType: "text/event-stream" },
  errors: ["too_many_streams"],
});

export const getOpenApi = defineContract({
  name: "openapi",
  access: "public",
  method: "GET",
  path: "/api/openapi",
  summary: "This OpenAPI 3.1 document, generated from the route contracts",
  response: {
    status: 200,
    description: "OpenAPI 3.1",
    schema: z.record(z.string(), z.unknown()),
  },
  deadlineMs: false,
});

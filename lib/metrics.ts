import client from "prom-client";
import { joinClusterMetrics, readClusterMetrics } from "./metrics-cluster";

/**
 * Module-level Prometheus metrics of every process. Kept on one registry stored on
 * globalThis, because Next.js may evaluate this module once per route bundle.
 */
const registryKey = Symbol.for("analytics.metrics.registry");
type GlobalWithRegistry = typeof globalThis & { [registryKey]?: client.Registry };
const holder = globalThis as GlobalWithRegistry;
const firstLoad = holder[registryKey] === undefined;
export const registry = (holder[registryKey] ??= new client.Registry());
if (firstLoad) {
  client.collectDefaultMetrics({ register: registry });
  joinClusterMetrics(registry);
}

/** The Prometheus scrape answer of the web app: every web process's metrics, summed (web/start.ts). */
export async function prometheusResponse(): Promise<Response> {
  const text = (await readClusterMetrics()) ?? (await registry.metrics());
  return new Response(text, {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}

function counter(name: string, help: string, labelNames: string[] = []) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Counter<string>;
  return new client.Counter({ name, help, labelNames, registers: [registry] });
}

function histogram(name: string, help: string, buckets: number[], labelNames: string[] = []) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Histogram<string>;
  return new client.Histogram({ name, help, buckets, labelNames, registers: [registry] });
}

function gauge(name: string, help: string, labelNames: string[] = []) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<string>;
  return new client.Gauge({ name, help, labelNames, registers: [registry] });
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// HTTP (web process): every API route through withRoute (lib/http/route.ts)
export const httpRequestSeconds = histogram(
  "analytics_http_request_seconds",
  "API request duration by route and status",
  latencyBuckets,
  ["route", "method", "status"],
);

// Ingestion (web process)
export const ingestRequestsTotal = counter(
  "analytics_ingest_requests_total",
  "POST /api/events requests by outcome",
  ["status"],
);
export const ingestEventsTotal = counter("analytics_ingest_events_total", "Events acknowledged by Kafka");
export const ingestRejectedEventsTotal = counter(
  "analytics_ingest_rejected_events_total",
  "Events rejected by validation",
);
export const ingestRequestSeconds = histogram(
  "analytics_ingest_request_seconds",
  "POST /api/events duration",
  latencyBuckets,
);
export const kafkaProduceSeconds = histogram(
  "analytics_kafka_produce_seconds",
  "Duration of one produce batch until acknowledged",
  latencyBuckets,
);
export const kafkaProduceFailuresTotal = counter(
  "analytics_kafka_produce_failures_total",
  "Requests answered 503 because Kafka did not acknowledge",
);

export const livePublishFailuresTotal = counter(
  "analytics_live_publish_failures_total",
  "Live counts of acknowledged events that could not be published on Redis",
);

// Stream processor (worker process)
export const processorEventsTotal = counter(
  "analytics_processor_events_total",
  "Events consumed, by outcome",
  ["outcome"],
);
export const processorBatchSeconds = histogram(
  "analytics_processor_batch_seconds",
  "Duration of one batch from fetch to commit",
  latencyBuckets,
);
export const processorLateEventsTotal = counter(
  "analytics_processor_late_events_total",
  "Events stored too late for one of their windows (its window had closed)",
);
export const aggregationOverflowEventsTotal = counter(
  "analytics_aggregation_overflow_events_total",
  'Stored events aggregated as "other": their event type is not configured, or their region came after the region limit',
  ["dimension"],
);
export const processorDeadLettersTotal = counter(
  "analytics_processor_dead_letters_total",
  "Messages sent to the dead-letter topic",
  ["reason"],
);
export const processorRedisFailuresTotal = counter(
  "analytics_processor_redis_failures_total",
  "Real-time counter updates that failed",
);
export const processorConsumerLag = gauge(
  "analytics_processor_consumer_lag",
  "Messages behind the high watermark",
  ["topic", "partition"],
);
export const windowsClosedTotal = counter(
  "analytics_windows_closed_total",
  "Aggregation windows closed and emitted",
);

// Anomaly worker and alert delivery (worker processes)
export const anomalyWindowsTotal = counter(
  "analytics_anomaly_windows_total",
  "Closed windows consumed by the anomaly worker, by outcome",
  ["outcome"],
);
export const anomalyBatchSeconds = histogram(
  "analytics_anomaly_batch_seconds",
  "Duration of one anomaly worker batch from fetch to commit",
  latencyBuckets,
);
export const anomaliesDetectedTotal = counter(
  "analytics_anomalies_detected_total",
  "Anomaly rows written, by metric and severity",
  ["metric", "severity"],
);
export const seriesWarmedTotal = counter(
  "analytics_detector_series_warmed_total",
  "New detector series that learned their stored history before their first scored window",
);
export const alertIncidentsTotal = counter(
  "analytics_alert_incidents_total",
  "Alert incident transitions, by event (fired, resolved)",
  ["event"],
);
export const alertDeliveryAttemptsTotal = counter(
  "analytics_alert_delivery_attempts_total",
  "Webhook delivery attempts, by outcome (delivered, retry, dead_lettered)",
  ["outcome"],
);
export const alertDeliverySeconds = histogram(
  "analytics_alert_delivery_seconds",
  "Duration of one webhook POST",
  latencyBuckets,
);
export const alertEnqueueFailuresTotal = counter(
  "analytics_alert_enqueue_failures_total",
  "Deliveries that could not be put on the queue (the outbox sweep retries them)",
);

export const rateLimitedTotal = counter(
  "analytics_rate_limited_total",
  "Requests refused with 429 by a rate limit, by limit (ip, ingest_key, sign_in)",
  ["limit"],
);

import client from "prom-client";
import { registry } from "../metrics";

/**
 * Metrics of the live stream (web process), on the shared registry. Looked up first
 * because Next.js may evaluate this module once per route bundle.
 */
function counter(name: string, help: string, labelNames: string[] = []) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Counter<string>;
  return new client.Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(name: string, help: string) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<string>;
  return new client.Gauge({ name, help, registers: [registry] });
}

export const liveClientsConnected = gauge("analytics_live_clients", "SSE clients connected to /api/stream");
export const liveMessagesTotal = counter(
  "analytics_live_messages_total",
  "Live channel messages received, by outcome (sent, invalid)",
  ["outcome"],
);
export const liveClientsClosedTotal = counter(
  "analytics_live_clients_closed_total",
  "SSE clients that left, by reason (client_gone, slow_client, server_shutdown)",
  ["reason"],
);
export const liveStreamsRefusedTotal = counter(
  "analytics_live_streams_refused_total",
  "Live streams refused with 429 too_many_streams, by limit (process, client)",
  ["limit"],
);

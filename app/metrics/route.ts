import { registry } from "@/lib/metrics";
import { readClusterMetrics } from "@/lib/metrics-cluster";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint of the web app: every web process's metrics, summed (web/start.ts). */
export async function GET(): Promise<Response> {
  const text = (await readClusterMetrics()) ?? (await registry.metrics());
  return new Response(text, { headers: { "Content-Type": registry.contentType } });
}

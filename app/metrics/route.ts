import { registry } from "@/lib/metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint of the web process. */
export async function GET(): Promise<Response> {
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType } });
}

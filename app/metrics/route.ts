import { prometheusResponse } from "@/lib/metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint (Prometheus's default path); the same as GET /api/metrics. */
export const GET = prometheusResponse;

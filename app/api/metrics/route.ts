import { prometheusResponse } from "@/lib/metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus exposition of the web app; the same as GET /metrics. */
export const GET = prometheusResponse;

import { getEnv } from "@/lib/env";
import { withRoute } from "@/lib/http/route";
import { prometheusResponse } from "@/lib/metrics";
import { assertMetricsAccess } from "@/lib/security/metrics-access";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint (Prometheus's default path); the same as GET /api/metrics. */
export const GET = withRoute(
  "metrics.scrape",
  async (request) => {
    assertMetricsAccess(request, getEnv().METRICS_TOKEN);
    return prometheusResponse();
  },
  { deadlineMs: false },
);

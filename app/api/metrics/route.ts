import { getEnv } from "@/lib/env";
import * as system from "@/lib/http/contracts/system";
import { defineRoute } from "@/lib/http/define-route";
import { prometheusResponse } from "@/lib/metrics";
import { assertMetricsAccess } from "@/lib/security/metrics-access";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Prometheus exposition of the web app; the same as GET /metrics. On the web port only with
 * METRICS_TOKEN as a bearer token (404 when unset: scrape the internal METRICS_PORT then).
 */
export const GET = defineRoute(system.getPrometheusMetrics, ({ request }) => {
  assertMetricsAccess(request, getEnv().METRICS_TOKEN);
  return prometheusResponse();
});

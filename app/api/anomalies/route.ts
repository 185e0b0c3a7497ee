import { listAnomalies } from "@/db/queries/anomalies";
import { projectOf } from "@/lib/auth/principal";
import * as anomalies from "@/lib/http/contracts/anomalies";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Anomalies newest first; filters status, event_type (or type), region, metric, severity; cursor pages. */
export const GET = defineRoute(anomalies.listAnomalies, async ({ query, principal }) =>
  listAnomalies(projectOf(principal), query),
);

import { getAnomalyDetail } from "@/db/queries/anomalies";
import { projectOf } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import * as anomalies from "@/lib/http/contracts/anomalies";
import { defineRoute } from "@/lib/http/define-route";
import { setAnomalyStatus } from "@/lib/services/anomalies/set-status";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The anomaly and its series around it (observed, expected band) for a chart. */
export const GET = defineRoute(anomalies.getAnomaly, async ({ params, principal }) => {
  const detail = await getAnomalyDetail(projectOf(principal), params.id);
  if (!detail) throw new AppError("not_found", "No such anomaly");
  return detail;
});

/** `{ "status": "acknowledged" | "resolved" | "open" }` */
export const PATCH = defineRoute(anomalies.updateAnomaly, async ({ params, body, principal }) => ({
  anomaly: await setAnomalyStatus(projectOf(principal), params.id, body.status),
}));

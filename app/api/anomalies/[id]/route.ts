import { getAnomalyDetail } from "@/db/queries/anomalies";
import { anomalyPatchSchema, numericIdParam } from "@/lib/alerts/list-queries";
import { parseBody, parseIdParam, readJsonBody } from "@/lib/alerts/request";
import { AppError } from "@/lib/errors";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { setAnomalyStatus } from "@/lib/services/anomalies/set-status";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { id: string };

/** The anomaly and its series around it (observed, expected band) for a chart. */
export const GET = withRoute<Params>("anomalies.get", async (_request, _context, params) => {
  const detail = await getAnomalyDetail(parseIdParam(numericIdParam, params.id, "anomaly"));
  if (!detail) throw new AppError("not_found", "No such anomaly");
  return jsonResponse(detail);
});

/** `{ "status": "acknowledged" | "resolved" | "open" }` */
export const PATCH = withRoute<Params>("anomalies.update", async (request, _context, params) => {
  const id = parseIdParam(numericIdParam, params.id, "anomaly");
  const { status } = parseBody(anomalyPatchSchema, await readJsonBody(request));
  return jsonResponse({ anomaly: await setAnomalyStatus(id, status) });
});

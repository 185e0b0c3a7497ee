import { listAnomalies } from "@/db/queries/anomalies";
import { anomaliesQuery } from "@/lib/alerts/list-queries";
import { jsonResponse, withRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Anomalies newest first; filters status, event_type (or type), region, metric, severity; cursor pages. */
export const GET = withRoute("anomalies.list", async (request) => {
  const query = anomaliesQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return jsonResponse(await listAnomalies(query));
});

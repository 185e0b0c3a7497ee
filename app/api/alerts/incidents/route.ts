import { listIncidents } from "@/db/queries/alerts";
import { incidentsQuery } from "@/lib/alerts/list-queries";
import { jsonResponse, withRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRoute("alerts.incidents.list", async (request) => {
  const query = incidentsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return jsonResponse(await listIncidents(query));
});

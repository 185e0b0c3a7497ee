import { getIncident } from "@/db/queries/alerts";
import { uuidParam } from "@/lib/alerts/list-queries";
import { parseIdParam } from "@/lib/alerts/request";
import { AppError } from "@/lib/errors";
import { jsonResponse, withRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRoute<{ id: string }>("alerts.incidents.get", async (_request, _context, params) => {
  const incident = await getIncident(parseIdParam(uuidParam, params.id, "incident"));
  if (!incident) throw new AppError("not_found", "No such incident");
  return jsonResponse({ incident });
});

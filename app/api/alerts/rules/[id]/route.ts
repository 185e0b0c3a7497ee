import { getRule } from "@/db/queries/alerts";
import { uuidParam } from "@/lib/alerts/list-queries";
import { parseIdParam, readJsonBody } from "@/lib/alerts/request";
import { AppError } from "@/lib/errors";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { deleteRule } from "@/lib/services/alerts/delete-rule";
import { updateRule } from "@/lib/services/alerts/update-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = withRoute<Params>("alerts.rules.get", async (_request, _context, params) => {
  const rule = await getRule(parseIdParam(uuidParam, params.id, "alert rule"));
  if (!rule) throw new AppError("not_found", "No such alert rule");
  return jsonResponse({ rule });
});

export const PATCH = withRoute<Params>("alerts.rules.update", async (request, _context, params) => {
  const id = parseIdParam(uuidParam, params.id, "alert rule");
  return jsonResponse({ rule: await updateRule(id, await readJsonBody(request)) });
});

export const DELETE = withRoute<Params>("alerts.rules.delete", async (_request, _context, params) => {
  await deleteRule(parseIdParam(uuidParam, params.id, "alert rule"));
  return new Response(null, { status: 204 });
});

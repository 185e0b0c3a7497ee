import { getRuleRow } from "@/db/queries/alerts";
import { uuidParam } from "@/lib/alerts/list-queries";
import { parseIdParam } from "@/lib/alerts/request";
import { AppError } from "@/lib/errors";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { previewRule } from "@/lib/services/alerts/preview-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Replays the stored rule over the last 24 hours of stored windows: when would it have fired? */
export const GET = withRoute<{ id: string }>("alerts.rules.preview", async (_request, _context, params) => {
  const rule = await getRuleRow(parseIdParam(uuidParam, params.id, "alert rule"));
  if (!rule) throw new AppError("not_found", "No such alert rule");
  return jsonResponse({ preview: await previewRule(rule) });
});

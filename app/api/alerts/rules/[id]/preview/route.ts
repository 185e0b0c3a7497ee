import { projectOf } from "@/lib/auth/principal";
import { getRuleRow } from "@/db/queries/alerts";
import { AppError } from "@/lib/errors";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";
import { previewRule } from "@/lib/services/alerts/preview-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Replays the stored rule over the last 24 hours of stored windows: when would it have fired? */
export const GET = defineRoute(alerts.previewRule, async ({ params, principal }) => {
  const rule = await getRuleRow(projectOf(principal), params.id);
  if (!rule) throw new AppError("not_found", "No such alert rule");
  return { preview: await previewRule(rule) };
});

import { projectOf } from "@/lib/auth/principal";
import { getRule } from "@/db/queries/alerts";
import { AppError } from "@/lib/errors";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";
import { deleteRule } from "@/lib/services/alerts/delete-rule";
import { updateRule } from "@/lib/services/alerts/update-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(alerts.getRule, async ({ params, principal }) => {
  const rule = await getRule(projectOf(principal), params.id);
  if (!rule) throw new AppError("not_found", "No such alert rule");
  return { rule };
});

export const PATCH = defineRoute(alerts.updateRule, async ({ params, body, principal }) => ({
  rule: await updateRule(projectOf(principal), params.id, body),
}));

export const DELETE = defineRoute(alerts.deleteRule, async ({ params, principal }) => {
  await deleteRule(projectOf(principal), params.id);
});

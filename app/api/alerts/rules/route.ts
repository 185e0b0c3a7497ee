import { projectOf } from "@/lib/auth/principal";
import { listRules } from "@/db/queries/alerts";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";
import { createRule } from "@/lib/services/alerts/create-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// every rule on one page: a deployment has tens of rules, not thousands
export const GET = defineRoute(alerts.listRules, async ({ principal }) => ({
  data: await listRules(projectOf(principal)),
  next_cursor: null,
}));

export const POST = defineRoute(alerts.createRule, async ({ body, principal }) => ({
  rule: await createRule(projectOf(principal), body),
}));

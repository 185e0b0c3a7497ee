import { listRules } from "@/db/queries/alerts";
import { readJsonBody } from "@/lib/alerts/request";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { createRule } from "@/lib/services/alerts/create-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// every rule on one page: a deployment has tens of rules, not thousands
export const GET = withRoute("alerts.rules.list", async () =>
  jsonResponse({ data: await listRules(), next_cursor: null }),
);

export const POST = withRoute("alerts.rules.create", async (request) => {
  const rule = await createRule(await readJsonBody(request));
  return jsonResponse({ rule }, 201);
});

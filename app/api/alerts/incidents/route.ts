import { projectOf } from "@/lib/auth/principal";
import { listIncidents } from "@/db/queries/alerts";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(alerts.listIncidents, async ({ query, principal }) =>
  listIncidents(projectOf(principal), query),
);

import { projectOf } from "@/lib/auth/principal";
import { getIncident } from "@/db/queries/alerts";
import { AppError } from "@/lib/errors";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(alerts.getIncident, async ({ params, principal }) => {
  const incident = await getIncident(projectOf(principal), params.id);
  if (!incident) throw new AppError("not_found", "No such incident");
  return { incident };
});

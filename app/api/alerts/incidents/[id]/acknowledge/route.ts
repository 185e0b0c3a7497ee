import { projectOf } from "@/lib/auth/principal";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";
import { getWebRedis } from "@/lib/realtime/redis-client";
import { acknowledgeIncident } from "@/lib/services/alerts/acknowledge-incident";
import { publishLive } from "@/lib/services/alerts/publish-live";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = defineRoute(alerts.acknowledgeIncident, async ({ params, principal }) => {
  const projectId = projectOf(principal);
  const incident = await acknowledgeIncident(projectId, params.id);
  await publishLive(getWebRedis(), { incidents: [{ projectId, event: "acknowledged", incident }] });
  return { incident };
});

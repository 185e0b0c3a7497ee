import { uuidParam } from "@/lib/alerts/list-queries";
import { parseIdParam } from "@/lib/alerts/request";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { getWebRedis } from "@/lib/realtime/redis-client";
import { acknowledgeIncident } from "@/lib/services/alerts/acknowledge-incident";
import { publishLive } from "@/lib/services/alerts/publish-live";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRoute<{ id: string }>(
  "alerts.incidents.acknowledge",
  async (_request, _context, params) => {
    const incident = await acknowledgeIncident(parseIdParam(uuidParam, params.id, "incident"));
    await publishLive(getWebRedis(), { incidents: [{ event: "acknowledged", incident }] });
    return jsonResponse({ incident });
  },
);

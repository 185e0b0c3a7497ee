import { listDeliveries } from "@/db/queries/alerts";
import { deliveriesQuery } from "@/lib/alerts/list-queries";
import { jsonResponse, withRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The delivery log, every attempt included; `status=dead_lettered` lists the dead letters. */
export const GET = withRoute("alerts.deliveries.list", async (request) => {
  const query = deliveriesQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return jsonResponse(await listDeliveries(query));
});

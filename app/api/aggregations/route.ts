import { listAggregations } from "@/db/queries/aggregations";
import { aggregationsQuery } from "@/lib/events/query";
import { jsonResponse, withRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRoute("aggregations.get", async (request) => {
  const query = aggregationsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return jsonResponse({ data: await listAggregations(query), next_cursor: null });
});

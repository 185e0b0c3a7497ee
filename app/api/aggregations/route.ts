import { listAggregations } from "@/db/queries/aggregations";
import { projectOf } from "@/lib/auth/principal";
import * as events from "@/lib/http/contracts/events";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(events.listAggregations, async ({ query, principal }) => ({
  data: await listAggregations(projectOf(principal), query),
  next_cursor: null,
}));

import { projectOf } from "@/lib/auth/principal";
import { listDeliveries } from "@/db/queries/alerts";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The delivery log, every attempt included; `status=dead_lettered` lists the dead letters. */
export const GET = defineRoute(alerts.listDeliveries, async ({ query, principal }) =>
  listDeliveries(projectOf(principal), query),
);

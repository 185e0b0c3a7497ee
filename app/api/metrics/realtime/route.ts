import { projectOf } from "@/lib/auth/principal";
import * as system from "@/lib/http/contracts/system";
import { defineRoute } from "@/lib/http/define-route";
import { readRealtime } from "@/lib/realtime/read-counters";
import { getWebRedis } from "@/lib/realtime/redis-client";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(system.getRealtime, async ({ query, principal }) =>
  readRealtime(getWebRedis(), projectOf(principal), query.seconds),
);

import { checkHealth } from "@/lib/health";
import * as system from "@/lib/http/contracts/system";
import { defineRoute } from "@/lib/http/define-route";
import { jsonResponse } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(system.getHealth, async () => {
  const health = await checkHealth();
  return jsonResponse(health, health.status === "down" || health.status === "draining" ? 503 : 200);
});

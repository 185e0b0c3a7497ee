import { checkHealth } from "@/lib/health";
import { jsonResponse, withRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRoute("health", async () => {
  const health = await checkHealth();
  return jsonResponse(health, health.status === "down" ? 503 : 200);
});

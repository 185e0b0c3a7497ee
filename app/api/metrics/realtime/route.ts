import { z } from "zod";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { readRealtime } from "@/lib/realtime/read-counters";
import { getWebRedis } from "@/lib/realtime/redis-client";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = z.strictObject({ seconds: z.coerce.number().int().min(1).max(300).default(300) });

export const GET = withRoute("metrics.realtime", async (request) => {
  const { seconds } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return jsonResponse(await readRealtime(getWebRedis(), seconds));
});

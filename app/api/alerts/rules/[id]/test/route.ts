import { uuidParam } from "@/lib/alerts/list-queries";
import { parseIdParam } from "@/lib/alerts/request";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { getWebNotificationsQueue } from "@/lib/queues/notifications-queue";
import { getWebRedis } from "@/lib/realtime/redis-client";
import { sendTestNotification } from "@/lib/services/alerts/send-test-notification";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRoute<{ id: string }>("alerts.rules.test", async (_request, _context, params) => {
  const result = await sendTestNotification(parseIdParam(uuidParam, params.id, "alert rule"), {
    queue: getWebNotificationsQueue(),
    redis: getWebRedis(),
  });
  return jsonResponse(result, 202);
});

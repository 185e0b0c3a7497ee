import { projectOf } from "@/lib/auth/principal";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";
import { getWebNotificationsQueue } from "@/lib/queues/notifications-queue";
import { getWebRedis } from "@/lib/realtime/redis-client";
import { sendTestNotification } from "@/lib/services/alerts/send-test-notification";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = defineRoute(alerts.testRule, async ({ params, principal }) =>
  sendTestNotification(projectOf(principal), params.id, {
    queue: getWebNotificationsQueue(),
    redis: getWebRedis(),
  }),
);

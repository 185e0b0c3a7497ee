import "server-only";
import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { getDb } from "@/db/client";
import { getDeliveryDto, getRuleRow } from "@/db/queries/alerts";
import type { DeliveryDto, IncidentDto } from "@/lib/alerts/dto";
import { AppError } from "@/lib/errors";
import { enqueueJob } from "@/lib/queues/catalog";
import { logger } from "@/lib/logger";
import { alertEnqueueFailuresTotal } from "@/lib/metrics";
import { insertWebhookDelivery } from "./deliveries";
import { publishLive } from "./publish-live";

/**
 * Sends a test notification on each of the rule's channels: a webhook delivery through the queue
 * (it shows in the delivery log like any other) and an in-app message on the live channel.
 */
export async function sendTestNotification(
  projectId: string,
  ruleId: string,
  deps: { queue: Queue; redis: Redis },
): Promise<{ delivery: DeliveryDto | null; in_app: boolean }> {
  const rule = await getRuleRow(projectId, ruleId);
  if (!rule) throw new AppError("not_found", "No such alert rule");
  const now = new Date();
  let delivery: DeliveryDto | null = null;
  const deliveryId = await insertWebhookDelivery(getDb(), {
    kind: "test",
    rule,
    figures: { windowStart: null, observed: null, expected: null, lower: null, upper: null, score: null },
    incident: null,
    anomalyId: null,
    now,
  });
  if (deliveryId) {
    try {
      await enqueueJob(deps.queue, "deliver-webhook", { delivery_id: deliveryId });
    } catch (error) {
      // The row stays pending; the alerts worker's outbox sweep queues it later.
      alertEnqueueFailuresTotal.inc();
      logger.warn({ err: error, delivery_id: deliveryId }, "test_notification_enqueue_failed");
    }
    delivery = (await getDeliveryDto(deliveryId)) ?? null;
  }
  if (rule.inApp) {
    const incident: IncidentDto = {
      id: randomUUID(),
      rule_id: rule.id,
      rule_name: rule.name,
      status: "resolved",
      severity: rule.severity,
      event_type: rule.eventType,
      region: rule.region,
      metric: rule.metric,
      window_seconds: rule.windowSeconds,
      fired_window_start: now.toISOString(),
      resolved_window_start: null,
      observed: null,
      expected: null,
      score: null,
      anomaly_id: null,
      notified: true,
      fired_at: now.toISOString(),
      acknowledged_at: null,
      resolved_at: now.toISOString(),
    };
    await publishLive(deps.redis, { incidents: [{ projectId, event: "test", incident }] });
  }
  return { delivery, in_app: rule.inApp };
}

import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import { getDeliveryForSending, isFiringDeliveryInFlight } from "@/db/queries/alerts";
import { SIGNATURE_HEADER, signPayload } from "@/lib/alerts/signature";
import { openWebhookSecret } from "@/lib/alerts/webhook-secret";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { alertDeliveryAttemptsTotal, alertDeliverySeconds } from "@/lib/metrics";
import { parseJobPayload } from "@/lib/queues/catalog";
import { recordDeliveryAttempt, type AttemptOutcome } from "@/lib/services/alerts/record-delivery-attempt";
import { classifyResponse } from "./classify-response";
import { postWebhook, WebhookRequestError } from "./post-webhook";

const RESOLVED_WAIT_MS = 1000;

/**
 * Processes one "deliver-webhook" job: POSTs the stored body, signed with the rule's secret, and
 * logs the attempt. A refused request (4xx other than 408/429, a blocked address) fails without
 * retry; anything else retries with backoff until the last attempt, which dead-letters it.
 */
export async function deliverWebhook(job: Job, token?: string): Promise<string> {
  const { delivery_id: deliveryId } = parseJobPayload("deliver-webhook", job.data);
  const found = await getDeliveryForSending(deliveryId);
  if (!found) throw new UnrecoverableError(`delivery ${deliveryId} no longer exists`);
  const { delivery, secret } = found;
  if (delivery.status === "delivered" || delivery.status === "dead_lettered") return delivery.status;
  // Receivers see "resolved" after "firing": wait (without spending an attempt) while it retries.
  if (
    delivery.kind === "resolved" &&
    delivery.incidentId &&
    (await isFiringDeliveryInFlight(delivery.incidentId))
  ) {
    await job.moveToDelayed(Date.now() + RESOLVED_WAIT_MS, token);
    throw new DelayedError();
  }

  const env = getEnv();
  const attempt = job.attemptsMade + 1;
  const lastAttempt = attempt >= (job.opts.attempts ?? 1);
  const body = JSON.stringify(delivery.payload);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "pulse-analytics-alerts/1",
    "X-Delivery-Id": delivery.id,
    "X-Delivery-Attempt": String(attempt),
    "X-Notification-Kind": delivery.kind,
  };
  let signingSecret: string | null;
  try {
    signingSecret = openWebhookSecret(secret);
  } catch (error) {
    // SECRETS_KEY changed or the value was altered: sending unsigned (or retrying) would not help.
    const reason = `the rule's webhook secret does not decrypt: ${(error as Error).message}`;
    await recordDeliveryAttempt({
      deliveryId,
      attempt,
      outcome: "dead_lettered",
      statusCode: null,
      error: reason,
      durationMs: 0,
    });
    alertDeliveryAttemptsTotal.inc({ outcome: "dead_lettered" });
    logger.error({ delivery_id: deliveryId, rule_id: delivery.ruleId, reason }, "webhook_dead_lettered");
    throw new UnrecoverableError(reason);
  }
  // Signed at each attempt with its own time: receivers refuse a signature older than their
  // tolerance, so a captured delivery cannot be replayed later.
  if (signingSecret !== null) {
    headers[SIGNATURE_HEADER] = signPayload(signingSecret, body, Math.floor(Date.now() / 1000));
  }

  const started = performance.now();
  let statusCode: number | null = null;
  let failure: WebhookRequestError | undefined;
  try {
    statusCode = await postWebhook(delivery.url, body, headers, {
      timeoutMs: env.ALERT_WEBHOOK_TIMEOUT_MS,
      allowPrivate: env.ALLOW_PRIVATE_WEBHOOKS,
    });
  } catch (error) {
    failure =
      error instanceof WebhookRequestError ? error : new WebhookRequestError(String(error), "network");
  }
  const durationMs = performance.now() - started;
  alertDeliverySeconds.observe(durationMs / 1000);

  const verdict = failure?.kind === "blocked" ? "permanent" : classifyResponse(statusCode);
  const outcome: AttemptOutcome =
    verdict === "delivered"
      ? "delivered"
      : verdict === "permanent" || lastAttempt
        ? "dead_lettered"
        : "retry";
  const reason = failure?.message ?? (verdict === "delivered" ? null : `answered HTTP ${statusCode ?? "?"}`);
  await recordDeliveryAttempt({ deliveryId, attempt, outcome, statusCode, error: reason, durationMs });
  alertDeliveryAttemptsTotal.inc({ outcome });
  const context = {
    delivery_id: deliveryId,
    rule_id: delivery.ruleId,
    kind: delivery.kind,
    attempt,
    status_code: statusCode,
    duration_ms: Math.round(durationMs),
  };
  if (outcome === "delivered") {
    logger.info(context, "webhook_delivered");
    return "delivered";
  }
  if (outcome === "dead_lettered") {
    logger.warn({ ...context, reason }, "webhook_dead_lettered");
    throw new UnrecoverableError(reason ?? "delivery failed");
  }
  logger.warn({ ...context, reason }, "webhook_attempt_failed");
  throw new Error(reason ?? "delivery failed");
}

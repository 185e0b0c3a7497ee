import "server-only";
import { randomUUID } from "node:crypto";
import type { Database } from "@/db/client";
import { alertDeliveries } from "@/db/schema";
import type { NotificationKind } from "@/lib/alerts/constants";
import type { RuleRow } from "@/lib/alerts/dto";
import { buildWebhookPayload, type PayloadFigures, type PayloadIncident } from "@/lib/alerts/webhook-payload";
import { getEnv } from "@/lib/env";

/** A drizzle transaction (or the database itself): what a step of a service's transaction takes. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Writes the outbox row of one webhook notification, with its body fixed now so every attempt
 * sends (and signs) the same bytes. Returns its id, or undefined when the rule has no webhook.
 */
export async function insertWebhookDelivery(
  tx: Tx | Database,
  input: {
    kind: NotificationKind;
    rule: RuleRow;
    figures: PayloadFigures;
    incident: PayloadIncident | null;
    anomalyId: number | null;
    now: Date;
  },
): Promise<string | undefined> {
  const { rule } = input;
  if (rule.webhookUrl === null) return undefined;
  const env = getEnv();
  const id = randomUUID();
  const payload = buildWebhookPayload({
    kind: input.kind,
    deliveryId: id,
    rule,
    figures: input.figures,
    incident: input.incident,
    anomalyId: input.anomalyId,
    baseUrl: env.PUBLIC_BASE_URL,
    now: input.now,
  });
  await tx.insert(alertDeliveries).values({
    id,
    ruleId: rule.id,
    incidentId: input.incident?.id ?? null,
    kind: input.kind,
    url: rule.webhookUrl,
    payload,
    maxAttempts: env.ALERT_WEBHOOK_ATTEMPTS,
  });
  return id;
}

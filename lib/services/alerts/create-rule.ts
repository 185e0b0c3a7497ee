import "server-only";
import { getDb } from "@/db/client";
import { alertRules } from "@/db/schema";
import { toRuleDto, type RuleDto } from "@/lib/alerts/dto";
import type { RuleInput } from "@/lib/alerts/rule-schema";
import { checkRuleInput } from "@/lib/alerts/validate-rule";
import { sealWebhookSecret } from "@/lib/alerts/webhook-secret";
import { getEnv } from "@/lib/env";

/**
 * Stores a new rule (its body already parsed by the route's contract) after the checks that need
 * configuration or DNS; its evaluation starts with the next closed window.
 */
export async function createRule(projectId: string, rule: RuleInput): Promise<RuleDto> {
  const env = getEnv();
  const input = await checkRuleInput(rule, {
    allowPrivateWebhooks: env.ALLOW_PRIVATE_WEBHOOKS,
    windowSizes: env.WINDOW_SIZES_SECONDS,
  });
  const webhook = input.channels.webhook;
  const [row] = await getDb()
    .insert(alertRules)
    .values({
      projectId,
      name: input.name,
      eventType: input.event_type,
      region: input.region,
      metric: input.metric,
      windowSeconds: input.window_seconds,
      condition: input.condition,
      forWindows: input.for_windows,
      severity: input.severity,
      inApp: input.channels.in_app,
      webhookUrl: webhook?.url ?? null,
      webhookSecret: sealWebhookSecret(webhook?.secret ?? null),
      mutedUntil: input.muted_until,
      enabled: input.enabled,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return toRuleDto(row, null, Date.now());
}

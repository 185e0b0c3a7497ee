import "server-only";
import { getDb } from "@/db/client";
import { alertRules } from "@/db/schema";
import { toRuleDto, type RuleDto } from "@/lib/alerts/dto";
import { validateRuleInput } from "@/lib/alerts/validate-rule";
import { getEnv } from "@/lib/env";

/** Validates and stores a new rule; its evaluation starts with the next closed window. */
export async function createRule(body: unknown): Promise<RuleDto> {
  const env = getEnv();
  const input = await validateRuleInput(body, {
    allowPrivateWebhooks: env.ALLOW_PRIVATE_WEBHOOKS,
    windowSizes: env.WINDOW_SIZES_SECONDS,
  });
  const webhook = input.channels.webhook;
  const [row] = await getDb()
    .insert(alertRules)
    .values({
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
      webhookSecret: webhook?.secret ?? null,
      mutedUntil: input.muted_until,
      enabled: input.enabled,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return toRuleDto(row, null, Date.now());
}

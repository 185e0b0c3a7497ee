import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertIncidents, alertRules, alertRuleStates } from "@/db/schema";
import { toRuleDto, type RuleDto } from "@/lib/alerts/dto";
import type { RulePatch } from "@/lib/alerts/rule-schema";
import { changesEvaluation, mergeRulePatch, validateRuleInput } from "@/lib/alerts/validate-rule";
import { nextStoredWebhookSecret } from "@/lib/alerts/webhook-secret";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * Applies a partial update (each field already parsed by the route's contract). The merged rule
 * is validated as a whole; when the update changes what the rule watches or when it fires (or
 * disables it), its open incident is closed without a notification and its evaluation restarts.
 */
export async function updateRule(projectId: string, id: string, patch: RulePatch): Promise<RuleDto> {
  const env = getEnv();
  return getDb().transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.id, id), eq(alertRules.projectId, projectId)))
      .for("update");
    if (!current) throw new AppError("not_found", "No such alert rule");
    const input = await validateRuleInput(mergeRulePatch(current, patch), {
      allowPrivateWebhooks: env.ALLOW_PRIVATE_WEBHOOKS,
      windowSizes: env.WINDOW_SIZES_SECONDS,
    });
    const restart = changesEvaluation(current, input);
    const [row] = await tx
      .update(alertRules)
      .set({
        name: input.name,
        eventType: input.event_type,
        region: input.region,
        metric: input.metric,
        windowSeconds: input.window_seconds,
        condition: input.condition,
        forWindows: input.for_windows,
        severity: input.severity,
        inApp: input.channels.in_app,
        webhookUrl: input.channels.webhook?.url ?? null,
        webhookSecret: nextStoredWebhookSecret(input, current.webhookSecret),
        mutedUntil: input.muted_until,
        enabled: input.enabled,
        updatedAt: sql`now()`,
      })
      .where(eq(alertRules.id, id))
      .returning();
    if (!row) throw new AppError("not_found", "No such alert rule");
    if (restart) {
      await tx
        .update(alertIncidents)
        .set({ status: "resolved", resolvedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(alertIncidents.ruleId, id), ne(alertIncidents.status, "resolved")));
      await tx.delete(alertRuleStates).where(eq(alertRuleStates.ruleId, id));
      return toRuleDto(row, null, Date.now());
    }
    const [open] = await tx
      .select()
      .from(alertIncidents)
      .where(and(eq(alertIncidents.ruleId, id), ne(alertIncidents.status, "resolved")));
    return toRuleDto(row, open ?? null, Date.now());
  });
}

import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertIncidents, alertRules, alertRuleStates } from "@/db/schema";
import { toRuleDto, type RuleDto } from "@/lib/alerts/dto";
import { rulePatchSchema, toErrorDetails } from "@/lib/alerts/rule-schema";
import {
  changesEvaluation,
  nextWebhookSecret,
  ruleToInput,
  validateRuleInput,
} from "@/lib/alerts/validate-rule";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * Applies a partial update. The merged rule is validated as a whole; when the update changes
 * what the rule watches or when it fires (or disables it), its open incident is closed without
 * a notification and its evaluation restarts.
 */
export async function updateRule(id: string, body: unknown): Promise<RuleDto> {
  const patch = rulePatchSchema.safeParse(body);
  if (!patch.success) {
    throw new AppError("validation_failed", "The alert rule is invalid", {
      details: toErrorDetails(patch.error),
    });
  }
  const env = getEnv();
  return getDb().transaction(async (tx) => {
    const [current] = await tx.select().from(alertRules).where(eq(alertRules.id, id)).for("update");
    if (!current) throw new AppError("not_found", "No such alert rule");
    const merged = { ...ruleToInput(current), ...definedEntries(patch.data) };
    const input = await validateRuleInput(merged, {
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
        webhookSecret: nextWebhookSecret(input, current.webhookSecret),
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

function definedEntries(patch: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

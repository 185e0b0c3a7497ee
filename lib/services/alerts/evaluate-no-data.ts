import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertRules } from "@/db/schema";
import { alignToWindow, missingWindowsAt } from "@/lib/domain/alerts/evaluate";
import { stepIncident, streaksFor } from "@/lib/domain/alerts/incident-machine";
import { INITIAL_RULE_MEMORY, scopeKey, type RuleMemory } from "@/lib/domain/anomaly/detect-step";
import { lockScopes } from "../anomalies/series-locks";
import { loadOpenIncidents, loadRuleMemory, saveRuleMemory } from "../anomalies/record-windows";
import { applyTransitions, type AppliedTransitions, type RuleTransition } from "./apply-transitions";

/**
 * The clock side of "no data for N windows": closed windows only arrive for series with data,
 * so every enabled no-data rule is checked against the time. A rule that never saw data counts
 * from its creation.
 */
export async function evaluateNoDataRules(now: Date, latenessMs: number): Promise<AppliedTransitions> {
  return getDb().transaction(async (tx) => {
    const rules = await tx
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.enabled, true), sql`${alertRules.condition}->>'type' = 'no_data'`))
      .for("share");
    if (rules.length === 0) return { incidents: [], deliveryIds: [] };
    await lockScopes(
      tx,
      rules.map((rule) => scopeKey(rule.projectId, rule.windowSeconds, rule.eventType, rule.region)),
    );
    const memory = await loadRuleMemory(
      tx,
      rules.map((rule) => rule.id),
    );
    const changed = new Map<string, RuleMemory>();
    const transitions: RuleTransition[] = [];
    for (const rule of rules) {
      if (rule.condition.type !== "no_data") continue;
      const current = memory.get(rule.id) ?? INITIAL_RULE_MEMORY;
      const stepMs = rule.windowSeconds * 1000;
      const lastData =
        current.lastDataWindowStartMs ?? alignToWindow(rule.createdAt.getTime(), rule.windowSeconds) - stepMs;
      const missing = missingWindowsAt(now.getTime(), lastData, rule.windowSeconds, latenessMs);
      if (missing < rule.condition.windows) continue;
      const step = stepIncident(current, "breach", streaksFor(rule.condition, rule.forWindows));
      changed.set(rule.id, {
        ...current,
        ...step.state,
        lastDataWindowStartMs: current.lastDataWindowStartMs,
      });
      if (step.transition === "fire") {
        transitions.push({
          ruleId: rule.id,
          transition: "fire",
          anomalyId: null,
          figures: {
            windowStart: new Date(lastData + rule.condition.windows * stepMs),
            observed: null,
            expected: null,
            lower: null,
            upper: null,
            score: null,
          },
        });
      }
    }
    await saveRuleMemory(tx, changed);
    const open = await loadOpenIncidents(
      tx,
      rules.map((rule) => rule.id),
    );
    return applyTransitions(tx, new Map(rules.map((rule) => [rule.id, rule])), open, transitions, now);
  });
}

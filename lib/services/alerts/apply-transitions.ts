import "server-only";
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { alertIncidents } from "@/db/schema";
import type { IncidentRow, RuleRow } from "@/lib/alerts/dto";
import { isMuted } from "@/lib/domain/alerts/incident-machine";
import type { PayloadFigures } from "@/lib/alerts/webhook-payload";
import { insertWebhookDelivery, type Tx } from "./deliveries";

/** An incident the state machine opened or resolved on one window. */
export interface RuleTransition {
  ruleId: string;
  transition: "fire" | "resolve";
  figures: PayloadFigures & { windowStart: Date };
  anomalyId: number | null;
}

export interface AppliedTransitions {
  incidents: { event: "fired" | "resolved"; row: IncidentRow; ruleName: string; projectId: string }[];
  deliveryIds: string[];
}

/**
 * Opens and resolves incidents inside the caller's transaction, and writes the outbox rows of
 * their webhook notifications. A muted rule's incidents are recorded but not notified, and an
 * incident that was never notified resolves quietly too.
 */
export async function applyTransitions(
  tx: Tx,
  rules: Map<string, RuleRow>,
  openIncidents: Map<string, IncidentRow>,
  transitions: RuleTransition[],
  now: Date,
): Promise<AppliedTransitions> {
  const applied: AppliedTransitions = { incidents: [], deliveryIds: [] };
  for (const change of transitions) {
    const rule = rules.get(change.ruleId);
    if (!rule) continue;
    const open = openIncidents.get(rule.id);
    if (change.transition === "fire") {
      if (open) continue;
      const notified = !isMuted(rule.mutedUntil, now.getTime());
      const [row] = await tx
        .insert(alertIncidents)
        .values({
          id: randomUUID(),
          ruleId: rule.id,
          severity: rule.severity,
          eventType: rule.eventType,
          region: rule.region,
          metric: rule.metric,
          windowSeconds: rule.windowSeconds,
          firedWindowStart: change.figures.windowStart,
          observed: finite(change.figures.observed),
          expected: finite(change.figures.expected),
          score: finite(change.figures.score),
          anomalyId: change.anomalyId,
          notified,
          firedAt: now,
        })
        .returning();
      if (!row) continue;
      openIncidents.set(rule.id, row);
      applied.incidents.push({ event: "fired", row, ruleName: rule.name, projectId: rule.projectId });
      if (notified) {
        const id = await insertWebhookDelivery(tx, {
          kind: "firing",
          rule,
          figures: change.figures,
          incident: { id: row.id, firedAt: row.firedAt, resolvedAt: null },
          anomalyId: change.anomalyId,
          now,
        });
        if (id) applied.deliveryIds.push(id);
      }
    } else {
      if (!open) continue;
      const [row] = await tx
        .update(alertIncidents)
        .set({
          status: "resolved",
          resolvedAt: now,
          resolvedWindowStart: change.figures.windowStart,
          updatedAt: sql`now()`,
        })
        .where(eq(alertIncidents.id, open.id))
        .returning();
      openIncidents.delete(rule.id);
      if (!row) continue;
      applied.incidents.push({ event: "resolved", row, ruleName: rule.name, projectId: rule.projectId });
      if (row.notified) {
        const id = await insertWebhookDelivery(tx, {
          kind: "resolved",
          rule,
          figures: change.figures,
          incident: { id: row.id, firedAt: row.firedAt, resolvedAt: now },
          anomalyId: change.anomalyId,
          now,
        });
        if (id) applied.deliveryIds.push(id);
      }
    }
  }
  return applied;
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

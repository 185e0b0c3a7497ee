import "server-only";
import { and, desc, eq, inArray, lt, ne, or, type SQL } from "drizzle-orm";
import type { DeliveriesQuery, IncidentsQuery } from "@/lib/alerts/list-queries";
import {
  toDeliveryDto,
  toIncidentDto,
  toRuleDto,
  type DeliveryDto,
  type IncidentDto,
  type IncidentRow,
  type RuleDto,
  type RuleRow,
} from "@/lib/alerts/dto";
import { getDb } from "../client";
import { alertDeliveries, alertDeliveryAttempts, alertIncidents, alertRules } from "../schema";

async function openIncidentsByRule(ruleIds: string[]): Promise<Map<string, IncidentRow>> {
  if (ruleIds.length === 0) return new Map();
  const rows = await getDb()
    .select()
    .from(alertIncidents)
    .where(and(inArray(alertIncidents.ruleId, ruleIds), ne(alertIncidents.status, "resolved")));
  return new Map(rows.map((row) => [row.ruleId, row]));
}

/** Every rule with its state (ok, firing, muted, disabled), newest first. */
export async function listRules(now = Date.now()): Promise<RuleDto[]> {
  const rules = await getDb().select().from(alertRules).orderBy(desc(alertRules.createdAt)).limit(1000);
  const open = await openIncidentsByRule(rules.map((rule) => rule.id));
  return rules.map((rule) => toRuleDto(rule, open.get(rule.id) ?? null, now));
}

export async function getRuleRow(id: string): Promise<RuleRow | undefined> {
  const [rule] = await getDb().select().from(alertRules).where(eq(alertRules.id, id));
  return rule;
}

export async function getRule(id: string, now = Date.now()): Promise<RuleDto | undefined> {
  const rule = await getRuleRow(id);
  if (!rule) return undefined;
  const open = await openIncidentsByRule([rule.id]);
  return toRuleDto(rule, open.get(rule.id) ?? null, now);
}

/** Incidents, newest first, with their rule's name. */
export async function listIncidents(query: IncidentsQuery): Promise<IncidentDto[]> {
  const filters: SQL[] = [];
  if (query.rule_id) filters.push(eq(alertIncidents.ruleId, query.rule_id));
  if (query.status === "unresolved") filters.push(ne(alertIncidents.status, "resolved"));
  else if (query.status) filters.push(eq(alertIncidents.status, query.status));
  const rows = await getDb()
    .select({ incident: alertIncidents, ruleName: alertRules.name })
    .from(alertIncidents)
    .innerJoin(alertRules, eq(alertRules.id, alertIncidents.ruleId))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(desc(alertIncidents.firedAt), desc(alertIncidents.id))
    .limit(query.limit);
  return rows.map((row) => toIncidentDto(row.incident, row.ruleName));
}

export async function getIncident(id: string): Promise<IncidentDto | undefined> {
  const [row] = await getDb()
    .select({ incident: alertIncidents, ruleName: alertRules.name })
    .from(alertIncidents)
    .innerJoin(alertRules, eq(alertRules.id, alertIncidents.ruleId))
    .where(eq(alertIncidents.id, id));
  return row ? toIncidentDto(row.incident, row.ruleName) : undefined;
}

/** The delivery log, newest first, every attempt included (dead letters have status dead_lettered). */
export async function listDeliveries(query: DeliveriesQuery): Promise<DeliveryDto[]> {
  const filters: SQL[] = [];
  if (query.rule_id) filters.push(eq(alertDeliveries.ruleId, query.rule_id));
  if (query.status) filters.push(eq(alertDeliveries.status, query.status));
  const rows = await getDb()
    .select({ delivery: alertDeliveries, ruleName: alertRules.name })
    .from(alertDeliveries)
    .innerJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
    .limit(query.limit);
  const ids = rows.map((row) => row.delivery.id);
  const attempts =
    ids.length === 0
      ? []
      : await getDb()
          .select()
          .from(alertDeliveryAttempts)
          .where(inArray(alertDeliveryAttempts.deliveryId, ids))
          .orderBy(alertDeliveryAttempts.attempt, alertDeliveryAttempts.id);
  const byDelivery = new Map<string, typeof attempts>();
  for (const attempt of attempts) {
    const list = byDelivery.get(attempt.deliveryId) ?? [];
    list.push(attempt);
    byDelivery.set(attempt.deliveryId, list);
  }
  return rows.map((row) => toDeliveryDto(row.delivery, byDelivery.get(row.delivery.id) ?? [], row.ruleName));
}

/** A delivery with what sending it needs: the rule's current signing secret. */
export async function getDeliveryForSending(id: string) {
  const [row] = await getDb()
    .select({ delivery: alertDeliveries, secret: alertRules.webhookSecret })
    .from(alertDeliveries)
    .innerJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .where(eq(alertDeliveries.id, id));
  return row;
}

/** Deliveries still pending or retrying that were created before `olderThan` (the outbox sweep). */
export async function listStaleDeliveryIds(olderThan: Date, limit = 500): Promise<string[]> {
  const rows = await getDb()
    .select({ id: alertDeliveries.id })
    .from(alertDeliveries)
    .where(
      and(
        or(eq(alertDeliveries.status, "pending"), eq(alertDeliveries.status, "retrying")),
        lt(alertDeliveries.updatedAt, olderThan),
      ),
    )
    .orderBy(alertDeliveries.createdAt)
    .limit(limit);
  return rows.map((row) => row.id);
}

export async function getDeliveryDto(id: string): Promise<DeliveryDto | undefined> {
  const [row] = await getDb()
    .select({ delivery: alertDeliveries, ruleName: alertRules.name })
    .from(alertDeliveries)
    .innerJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .where(eq(alertDeliveries.id, id));
  if (!row) return undefined;
  const attempts = await getDb()
    .select()
    .from(alertDeliveryAttempts)
    .where(eq(alertDeliveryAttempts.deliveryId, id))
    .orderBy(alertDeliveryAttempts.attempt, alertDeliveryAttempts.id);
  return toDeliveryDto(row.delivery, attempts, row.ruleName);
}

/** Whether the firing notification of an incident is still on its way (its resolved one waits). */
export async function isFiringDeliveryInFlight(incidentId: string): Promise<boolean> {
  const rows = await getDb()
    .select({ id: alertDeliveries.id })
    .from(alertDeliveries)
    .where(
      and(
        eq(alertDeliveries.incidentId, incidentId),
        eq(alertDeliveries.kind, "firing"),
        or(eq(alertDeliveries.status, "pending"), eq(alertDeliveries.status, "retrying")),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

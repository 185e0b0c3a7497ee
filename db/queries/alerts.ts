import "server-only";
import { and, desc, eq, inArray, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
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
import { decodeTimeIdCursor, encodeTimeIdCursor, keysetPage } from "@/lib/http/cursor";
import { getDb } from "../client";
import { alertDeliveries, alertDeliveryAttempts, alertIncidents, alertRules } from "../schema";

// TRICKY: these times have microseconds, a cursor (a JS Date) only milliseconds. Ordered and
// compared at millisecond precision, rows that share a millisecond stay in id order and a
// page boundary among them neither skips nor repeats one.
const toMs = (column: AnyPgColumn) => sql`date_trunc('milliseconds', ${column})`;

/** Rows after a (time, id) cursor in (time desc, id desc) order. */
function before(time: AnyPgColumn, id: AnyPgColumn, cursor: { time: Date; id: string }): SQL | undefined {
  const at = cursor.time.toISOString();
  return or(
    sql`${toMs(time)} < ${at}::timestamptz`,
    and(sql`${toMs(time)} = ${at}::timestamptz`, lt(id, cursor.id)),
  );
}

async function openIncidentsByRule(ruleIds: string[]): Promise<Map<string, IncidentRow>> {
  if (ruleIds.length === 0) return new Map();
  const rows = await getDb()
    .select()
    .from(alertIncidents)
    .where(and(inArray(alertIncidents.ruleId, ruleIds), ne(alertIncidents.status, "resolved")));
  return new Map(rows.map((row) => [row.ruleId, row]));
}

/** Every rule of a project with its state (ok, firing, muted, disabled), newest first. */
export async function listRules(projectId: string, now = Date.now()): Promise<RuleDto[]> {
  const rules = await getDb()
    .select()
    .from(alertRules)
    .where(eq(alertRules.projectId, projectId))
    .orderBy(desc(alertRules.createdAt))
    .limit(1000);
  const open = await openIncidentsByRule(rules.map((rule) => rule.id));
  return rules.map((rule) => toRuleDto(rule, open.get(rule.id) ?? null, now));
}

/** A project's rule; another project's is not found. */
export async function getRuleRow(projectId: string, id: string): Promise<RuleRow | undefined> {
  const [rule] = await getDb()
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.id, id), eq(alertRules.projectId, projectId)));
  return rule;
}

export async function getRule(projectId: string, id: string, now = Date.now()): Promise<RuleDto | undefined> {
  const rule = await getRuleRow(projectId, id);
  if (!rule) return undefined;
  const open = await openIncidentsByRule([rule.id]);
  return toRuleDto(rule, open.get(rule.id) ?? null, now);
}

/** Incidents, newest first, with their rule's name; `next_cursor` continues the list. */
export async function listIncidents(
  projectId: string,
  query: IncidentsQuery,
): Promise<{ data: IncidentDto[]; next_cursor: string | null }> {
  const filters: (SQL | undefined)[] = [eq(alertRules.projectId, projectId)];
  if (query.rule_id) filters.push(eq(alertIncidents.ruleId, query.rule_id));
  if (query.status === "unresolved") filters.push(ne(alertIncidents.status, "resolved"));
  else if (query.status) filters.push(eq(alertIncidents.status, query.status));
  if (query.cursor) {
    const cursor = decodeTimeIdCursor(query.cursor, { uuidId: true });
    filters.push(before(alertIncidents.firedAt, alertIncidents.id, cursor));
  }
  const rows = await getDb()
    .select({ incident: alertIncidents, ruleName: alertRules.name })
    .from(alertIncidents)
    .innerJoin(alertRules, eq(alertRules.id, alertIncidents.ruleId))
    .where(and(...filters))
    .orderBy(desc(toMs(alertIncidents.firedAt)), desc(alertIncidents.id))
    .limit(query.limit + 1);
  const { page, nextCursor } = keysetPage(rows, query.limit, ({ incident }) =>
    encodeTimeIdCursor(incident.firedAt, incident.id),
  );
  return { data: page.map((row) => toIncidentDto(row.incident, row.ruleName)), next_cursor: nextCursor };
}

export async function getIncident(projectId: string, id: string): Promise<IncidentDto | undefined> {
  const [row] = await getDb()
    .select({ incident: alertIncidents, ruleName: alertRules.name })
    .from(alertIncidents)
    .innerJoin(alertRules, eq(alertRules.id, alertIncidents.ruleId))
    .where(and(eq(alertIncidents.id, id), eq(alertRules.projectId, projectId)));
  return row ? toIncidentDto(row.incident, row.ruleName) : undefined;
}

/**
 * The delivery log, newest first, every attempt included (dead letters have status
 * dead_lettered); `next_cursor` continues the list.
 */
export async function listDeliveries(
  projectId: string,
  query: DeliveriesQuery,
): Promise<{ data: DeliveryDto[]; next_cursor: string | null }> {
  const filters: (SQL | undefined)[] = [eq(alertRules.projectId, projectId)];
  if (query.rule_id) filters.push(eq(alertDeliveries.ruleId, query.rule_id));
  if (query.status) filters.push(eq(alertDeliveries.status, query.status));
  if (query.cursor) {
    const cursor = decodeTimeIdCursor(query.cursor, { uuidId: true });
    filters.push(before(alertDeliveries.createdAt, alertDeliveries.id, cursor));
  }
  const found = await getDb()
    .select({ delivery: alertDeliveries, ruleName: alertRules.name })
    .from(alertDeliveries)
    .innerJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .where(and(...filters))
    .orderBy(desc(toMs(alertDeliveries.createdAt)), desc(alertDeliveries.id))
    .limit(query.limit + 1);
  const { page: rows, nextCursor } = keysetPage(found, query.limit, ({ delivery }) =>
    encodeTimeIdCursor(delivery.createdAt, delivery.id),
  );
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
  return {
    data: rows.map((row) => toDeliveryDto(row.delivery, byDelivery.get(row.delivery.id) ?? [], row.ruleName)),
    next_cursor: nextCursor,
  };
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

import { sql } from "drizzle-orm";
import {
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { deliveryStatuses, notificationKinds } from "../../lib/alerts/constants";
import type { WebhookPayload } from "../../lib/alerts/webhook-payload";
import { alertIncidents } from "./alert-incidents";
import { alertRules } from "./alert-rules";

/**
 * One webhook notification (firing, resolved or test). Written in the transaction that decided
 * it (an outbox row), then queued on BullMQ; the queue job updates its status after each attempt.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    incidentId: uuid("incident_id").references(() => alertIncidents.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: notificationKinds }).notNull(),
    channel: text("channel", { enum: ["webhook"] })
      .notNull()
      .default("webhook"),
    url: text("url").notNull(),
    payload: jsonb("payload").$type<WebhookPayload>().notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    deadLetteredAt: timestamp("dead_lettered_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    index("alert_deliveries_rule_idx").on(table.ruleId, table.createdAt.desc()),
    index("alert_deliveries_created_idx").on(table.createdAt.desc()),
    // deleting an incident (retention) checks its deliveries by this key: without the index,
    // each deleted incident scanned the whole table
    index("alert_deliveries_incident_idx").on(table.incidentId),
    index("alert_deliveries_pending_idx")
      .on(table.createdAt)
      .where(sql`status in ('pending', 'retrying')`),
  ],
);

/** Every attempt of a delivery: when, how long, what the receiver answered. */
export const alertDeliveryAttempts = pgTable(
  "alert_delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => alertDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    outcome: text("outcome", { enum: ["delivered", "retry", "dead_lettered"] }).notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: doublePrecision("duration_ms").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [index("alert_delivery_attempts_delivery_idx").on(table.deliveryId, table.attempt)],
);

import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { incidentStatuses, severities } from "../../lib/alerts/constants";
import { alertRules } from "./alert-rules";

/** One firing of a rule, from the window that opened it to the one that cleared it. */
export const alertIncidents = pgTable(
  "alert_incidents",
  {
    id: uuid("id").primaryKey(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    status: text("status", { enum: incidentStatuses }).notNull().default("open"),
    severity: text("severity", { enum: severities }).notNull(),
    eventType: text("event_type").notNull(),
    region: text("region").notNull(),
    metric: text("metric").notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    firedWindowStart: timestamp("fired_window_start", { withTimezone: true, mode: "date" }).notNull(),
    resolvedWindowStart: timestamp("resolved_window_start", { withTimezone: true, mode: "date" }),
    observed: doublePrecision("observed"),
    expected: doublePrecision("expected"),
    score: doublePrecision("score"),
    anomalyId: bigint("anomaly_id", { mode: "number" }),
    /** Whether the firing notification went out (not while muted); a resolved one follows only then. */
    notified: boolean("notified").notNull().default(false),
    firedAt: timestamp("fired_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true, mode: "date" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    index("alert_incidents_rule_idx").on(table.ruleId, table.firedAt.desc()),
    index("alert_incidents_fired_idx").on(table.firedAt.desc()),
    // At most one unresolved incident per rule.
    uniqueIndex("alert_incidents_one_open_idx")
      .on(table.ruleId)
      .where(sql`status <> 'resolved'`),
  ],
);

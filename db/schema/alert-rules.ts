import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { RuleCondition } from "../../lib/alerts/rule-schema";
import { severities } from "../../lib/alerts/constants";

/**
 * A user's alert rule. It watches one series: (window size, event type or "*", region or "*",
 * metric), where "*" is the roll-up over all types or regions.
 */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The project the row belongs to (projects.id); every read filters on it. */
    projectId: text("project_id").notNull().default("default"),
    name: text("name").notNull(),
    eventType: text("event_type").notNull(),
    region: text("region").notNull(),
    metric: text("metric", { enum: ["count", "distinct_users", "avg", "p95"] }).notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    condition: jsonb("condition").$type<RuleCondition>().notNull(),
    forWindows: integer("for_windows").notNull().default(1),
    severity: text("severity", { enum: severities }).notNull(),
    inApp: boolean("in_app").notNull().default(true),
    webhookUrl: text("webhook_url"),
    webhookSecret: text("webhook_secret"),
    mutedUntil: timestamp("muted_until", { withTimezone: true, mode: "date" }),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    index("alert_rules_series_idx").on(table.projectId, table.windowSeconds, table.eventType, table.region),
    index("alert_rules_created_idx").on(table.projectId, table.createdAt.desc()),
  ],
);

/**
 * The evaluator's memory per rule, written by the anomaly worker only (users edit alert_rules):
 * streaks of the incident state machine, the last evaluated window (redeliveries are no-ops) and
 * the last window with data (for no-data conditions).
 */
export const alertRuleStates = pgTable("alert_rule_states", {
  ruleId: uuid("rule_id")
    .primaryKey()
    .references(() => alertRules.id, { onDelete: "cascade" }),
  breachStreak: integer("breach_streak").notNull().default(0),
  clearStreak: integer("clear_streak").notNull().default(0),
  firing: boolean("firing").notNull().default(false),
  lastWindowStart: timestamp("last_window_start", { withTimezone: true, mode: "date" }),
  lastDataWindowStart: timestamp("last_data_window_start", { withTimezone: true, mode: "date" }),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
});

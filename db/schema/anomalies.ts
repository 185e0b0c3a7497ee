import { sql } from "drizzle-orm";
import type { SeriesPoint } from "../../lib/domain/alerts/series";
import {
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

export const anomalyStatuses = ["open", "acknowledged", "resolved"] as const;
export const anomalySeverities = ["low", "medium", "high", "critical"] as const;

/** An abnormal window of one series (event type x region x metric). */
export const anomalies = pgTable(
  "anomalies",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The project the row belongs to (projects.id); every read filters on it. */
    projectId: text("project_id").notNull().default("default"),
    eventType: text("event_type").notNull(),
    region: text("region").notNull(),
    metric: text("metric").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true, mode: "date" }).notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    observed: doublePrecision("observed").notNull(),
    expected: doublePrecision("expected").notNull(),
    lower: doublePrecision("lower").notNull(),
    upper: doublePrecision("upper").notNull(),
    score: doublePrecision("score").notNull(),
    /**
     * How far the series was past its warm-up when this was scored (0-1; 1: warm). Below 1 the
     * series was still warming up, and its band was wider for it (docs/anomaly-detection.md).
     */
    confidence: doublePrecision("confidence").notNull().default(1),
    direction: text("direction", { enum: ["spike", "drop"] }).notNull(),
    severity: text("severity", { enum: anomalySeverities }).notNull(),
    status: text("status", { enum: anomalyStatuses }).notNull().default("open"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true, mode: "date" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
    /** The series' points up to and including this window, with the expected band (for the chart). */
    context: jsonb("context")
      .$type<SeriesPoint[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
  },
  (table) => [
    uniqueIndex("anomalies_series_window_idx").on(
      table.projectId,
      table.eventType,
      table.region,
      table.metric,
      table.windowSeconds,
      table.windowStart,
    ),
    index("anomalies_created_idx").on(table.projectId, table.createdAt.desc()),
  ],
);

import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * Every accepted event. Range-partitioned by day on event_time (see the migration), so
 * the key must hold event_time; a retried event carries the same time, so it collides.
 */
export const rawEvents = pgTable(
  "raw_events",
  {
    /** The project the row belongs to (projects.id); every read filters on it. */
    projectId: text("project_id").notNull().default("default"),
    eventId: text("event_id").notNull(),
    eventTime: timestamp("event_time", { withTimezone: true, mode: "date" }).notNull(),
    eventType: text("event_type").notNull(),
    region: text("region"),
    userId: text("user_id"),
    sessionId: text("session_id"),
    value: doublePrecision("value"),
    properties: jsonb("properties").$type<Record<string, unknown>>(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull(),
    correlationId: text("correlation_id").notNull(),
    source: jsonb("source").$type<Record<string, unknown>>(),
    /** Missing from at least one of its windows: its window of that size had closed (see lateWindows). */
    late: boolean("late").notNull().default(false),
    /** The window sizes (seconds) whose window had closed when this event was written; null: counted in all. */
    lateWindows: integer("late_windows").array(),
    kafkaPartition: integer("kafka_partition"),
    kafkaOffset: bigint("kafka_offset", { mode: "number" }),
    persistedAt: timestamp("persisted_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    primaryKey({ columns: [table.eventId, table.eventTime, table.projectId] }),
    index("raw_events_time_idx").on(table.projectId, table.eventTime.desc(), table.eventId.desc()),
    index("raw_events_type_time_idx").on(table.projectId, table.eventType, table.eventTime.desc()),
  ],
);

export type RawEvent = typeof rawEvents.$inferSelect;

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
    late: boolean("late").notNull().default(false),
    kafkaPartition: integer("kafka_partition"),
    kafkaOffset: bigint("kafka_offset", { mode: "number" }),
    persistedAt: timestamp("persisted_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    primaryKey({ columns: [table.eventId, table.eventTime] }),
    index("raw_events_time_idx").on(table.eventTime.desc(), table.eventId.desc()),
    index("raw_events_type_time_idx").on(table.eventType, table.eventTime.desc()),
  ],
);

export type RawEvent = typeof rawEvents.$inferSelect;

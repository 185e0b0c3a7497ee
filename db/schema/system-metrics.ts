import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/** Periodic snapshots each worker writes for the system page. */
export const systemMetrics = pgTable(
  "system_metrics",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    role: text("role").notNull(),
    instance: text("instance").notNull(),
    eventsInPerSecond: doublePrecision("events_in_per_second").notNull(),
    eventsPersistedPerSecond: doublePrecision("events_persisted_per_second").notNull(),
    consumerLag: bigint("consumer_lag", { mode: "number" }).notNull(),
    lagByPartition: jsonb("lag_by_partition").$type<Record<string, number>>().notNull(),
    batchP50Ms: doublePrecision("batch_p50_ms"),
    batchP99Ms: doublePrecision("batch_p99_ms"),
    lateEvents: bigint("late_events", { mode: "number" }).notNull().default(0),
    rssBytes: bigint("rss_bytes", { mode: "number" }).notNull(),
  },
  (table) => [index("system_metrics_recorded_idx").on(table.recordedAt.desc())],
);

import { sql } from "drizzle-orm";
import {
  bigint,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { hll, tdigest } from "./types";

/** The roll-up value of event_type and region in aggregation rows: "all types" / "all regions". */
export const ALL = "*";

/**
 * One row per (project, window, size, event type, region), including "*" roll-ups. Sketches make
 * partial rows from several processors and late events merge exactly.
 */
export const aggregations = pgTable(
  "aggregations",
  {
    /** The project the row belongs to (projects.id); every read filters on it. */
    projectId: text("project_id").notNull().default("default"),
    windowStart: timestamp("window_start", { withTimezone: true, mode: "date" }).notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    eventType: text("event_type").notNull(),
    region: text("region").notNull(),
    eventCount: bigint("event_count", { mode: "number" }).notNull(),
    users: hll("users").notNull(),
    valueCount: bigint("value_count", { mode: "number" }).notNull().default(0),
    valueSum: doublePrecision("value_sum"),
    valueMin: doublePrecision("value_min"),
    valueMax: doublePrecision("value_max"),
    valueDigest: tdigest("value_digest"),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    /** Set once the watermark passed the window's end; a closed row never changes again. */
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
    /** Set once the closed window was sent to Kafka (the closer's outbox: null = still to send). */
    emittedAt: timestamp("emitted_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    primaryKey({
      columns: [table.windowSeconds, table.eventType, table.region, table.windowStart, table.projectId],
    }),
    index("aggregations_open_idx")
      .on(table.windowStart)
      .where(sql`closed_at is null`),
    index("aggregations_unemitted_idx")
      .on(table.windowStart)
      .where(sql`closed_at is not null and emitted_at is null`),
  ],
);

import { sql } from "drizzle-orm";
import { integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The largest event time each partition has delivered, written with its batch. Windows
 * close when every active partition's watermark (this minus the allowed lateness) passed
 * their end; a partition silent for longer than the idle timeout no longer holds them back.
 */
export const partitionWatermarks = pgTable(
  "partition_watermarks",
  {
    groupId: text("group_id").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    maxEventTime: timestamp("max_event_time", { withTimezone: true, mode: "date" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [primaryKey({ columns: [table.groupId, table.topic, table.partition] })],
);

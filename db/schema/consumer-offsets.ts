import { sql } from "drizzle-orm";
import { bigint, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The next offset to read per (group, topic, partition), written in the same transaction
 * as the batch's events: the offset and the data can never disagree.
 */
export const consumerOffsets = pgTable(
  "consumer_offsets",
  {
    groupId: text("group_id").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    nextOffset: bigint("next_offset", { mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [primaryKey({ columns: [table.groupId, table.topic, table.partition] })],
);

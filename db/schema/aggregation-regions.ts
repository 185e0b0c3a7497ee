import { sql } from "drizzle-orm";
import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The regions that have a series of their own (aggregates, detector, live counters), per
 * deployment (scope: the processor's consumer group) and project. A region is admitted the first time it
 * is seen while fewer than REGION_LIMIT are; every later region is aggregated as "other".
 * Raw events keep the region that was sent.
 */
export const aggregationRegions = pgTable(
  "aggregation_regions",
  {
    scope: text("scope").notNull(),
    projectId: text("project_id").notNull().default("default"),
    region: text("region").notNull(),
    admittedAt: timestamp("admitted_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [primaryKey({ columns: [table.scope, table.projectId, table.region] })],
);

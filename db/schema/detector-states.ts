import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { SeriesPoint } from "../../lib/domain/alerts/series";

/**
 * The anomaly detector's state per series (project x window size x event type x region x metric), so a
 * restarted worker resumes where it stopped. `last_window_start` makes redelivered windows no-ops.
 */
export const detectorStates = pgTable(
  "detector_states",
  {
    seriesKey: text("series_key").primaryKey(),
    projectId: text("project_id").notNull().default("default"),
    windowSeconds: integer("window_seconds").notNull(),
    eventType: text("event_type").notNull(),
    region: text("region").notNull(),
    metric: text("metric").notNull(),
    state: jsonb("state").$type<Record<string, unknown>>().notNull(),
    /** The last points with their expected band, for anomaly charts. */
    recent: jsonb("recent")
      .$type<SeriesPoint[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    points: integer("points").notNull().default(0),
    lastWindowStart: timestamp("last_window_start", { withTimezone: true, mode: "date" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    index("detector_states_series_idx").on(table.projectId, table.eventType, table.region, table.metric),
  ],
);

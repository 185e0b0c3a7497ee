-- Lateness is judged per window size: the sizes an event was too late for. Rows written
-- before this column have late = true and late_windows null: late for every size.
ALTER TABLE "raw_events" ADD COLUMN "late_windows" integer[];

ALTER TABLE "aggregations" ADD COLUMN "emitted_at" timestamp with time zone;--> statement-breakpoint
-- windows closed before this migration were emitted by the closer of the time
UPDATE "aggregations" SET "emitted_at" = "closed_at" WHERE "closed_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "aggregations_unemitted_idx" ON "aggregations" USING btree ("window_start") WHERE closed_at is not null and emitted_at is null;
CREATE TABLE "partition_watermarks" (
	"group_id" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"max_event_time" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partition_watermarks_group_id_topic_partition_pk" PRIMARY KEY("group_id","topic","partition")
);
--> statement-breakpoint
ALTER TABLE "aggregations" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "aggregations_open_idx" ON "aggregations" USING btree ("window_start") WHERE closed_at is null;
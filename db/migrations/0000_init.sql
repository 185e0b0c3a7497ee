-- Sketch types for mergeable distinct counts (hll) and quantiles (tdigest).
CREATE EXTENSION IF NOT EXISTS hll;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS tdigest;--> statement-breakpoint
CREATE TABLE "aggregations" (
	"window_start" timestamp with time zone NOT NULL,
	"window_seconds" integer NOT NULL,
	"event_type" text NOT NULL,
	"region" text NOT NULL,
	"event_count" bigint NOT NULL,
	"users" "hll" NOT NULL,
	"value_count" bigint DEFAULT 0 NOT NULL,
	"value_sum" double precision,
	"value_min" double precision,
	"value_max" double precision,
	"value_digest" "tdigest",
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "aggregations_window_seconds_event_type_region_window_start_pk" PRIMARY KEY("window_seconds","event_type","region","window_start")
);
--> statement-breakpoint
CREATE TABLE "anomalies" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"region" text NOT NULL,
	"metric" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_seconds" integer NOT NULL,
	"observed" double precision NOT NULL,
	"expected" double precision NOT NULL,
	"lower" double precision NOT NULL,
	"upper" double precision NOT NULL,
	"score" double precision NOT NULL,
	"direction" text NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consumer_offsets" (
	"group_id" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_offsets_group_id_topic_partition_pk" PRIMARY KEY("group_id","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "raw_events" (
	"event_id" text NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_type" text NOT NULL,
	"region" text,
	"user_id" text,
	"session_id" text,
	"value" double precision,
	"properties" jsonb,
	"received_at" timestamp with time zone NOT NULL,
	"correlation_id" text NOT NULL,
	"source" jsonb,
	"late" boolean DEFAULT false NOT NULL,
	"kafka_partition" integer,
	"kafka_offset" bigint,
	"persisted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "raw_events_event_id_event_time_pk" PRIMARY KEY("event_id","event_time")
) PARTITION BY RANGE ("event_time");
--> statement-breakpoint
CREATE TABLE "system_metrics" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"role" text NOT NULL,
	"instance" text NOT NULL,
	"events_in_per_second" double precision NOT NULL,
	"events_persisted_per_second" double precision NOT NULL,
	"consumer_lag" bigint NOT NULL,
	"lag_by_partition" jsonb NOT NULL,
	"batch_p50_ms" double precision,
	"batch_p99_ms" double precision,
	"late_events" bigint DEFAULT 0 NOT NULL,
	"rss_bytes" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "anomalies_series_window_idx" ON "anomalies" USING btree ("event_type","region","metric","window_seconds","window_start");--> statement-breakpoint
CREATE INDEX "anomalies_created_idx" ON "anomalies" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "raw_events_time_idx" ON "raw_events" USING btree ("event_time" DESC NULLS LAST,"event_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "raw_events_type_time_idx" ON "raw_events" USING btree ("event_type","event_time" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "system_metrics_recorded_idx" ON "system_metrics" USING btree ("recorded_at" DESC NULLS LAST);--> statement-breakpoint
-- Day partitions of raw_events for [from_day, to_day]; safe to call again. Retention drops whole days.
CREATE OR REPLACE FUNCTION ensure_raw_events_partitions(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  day date := from_day;
  created integer := 0;
  name text;
BEGIN
  WHILE day <= to_day LOOP
    name := format('raw_events_%s', to_char(day, 'YYYYMMDD'));
    IF to_regclass(name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I PARTITION OF raw_events FOR VALUES FROM (%L) TO (%L)',
        name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
    day := day + 1;
  END LOOP;
  RETURN created;
END;
$$;
-- Projects scope every row (docs/security.md). Rows written before this migration belong
-- to the default project; the project joins each table's key, at the end, so the indexes
-- the processor's lookups use keep their leading columns.
CREATE TABLE "project_members" (
	"project_id" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_members_project_id_user_id_pk" PRIMARY KEY("project_id","user_id")
);--> statement-breakpoint
ALTER TABLE "aggregations" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "anomalies" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "raw_events" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "detector_states" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "aggregation_regions" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "project_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
DROP INDEX "anomalies_series_window_idx";--> statement-breakpoint
DROP INDEX "anomalies_created_idx";--> statement-breakpoint
DROP INDEX "raw_events_time_idx";--> statement-breakpoint
DROP INDEX "raw_events_type_time_idx";--> statement-breakpoint
DROP INDEX "alert_rules_series_idx";--> statement-breakpoint
DROP INDEX "alert_rules_created_idx";--> statement-breakpoint
DROP INDEX "detector_states_series_idx";--> statement-breakpoint
ALTER TABLE "aggregations" DROP CONSTRAINT "aggregations_window_seconds_event_type_region_window_start_pk";--> statement-breakpoint
ALTER TABLE "raw_events" DROP CONSTRAINT "raw_events_event_id_event_time_pk";--> statement-breakpoint
ALTER TABLE "aggregation_regions" DROP CONSTRAINT "aggregation_regions_scope_region_pk";--> statement-breakpoint
ALTER TABLE "aggregations" ADD CONSTRAINT "aggregations_window_seconds_event_type_region_window_start_project_id_pk" PRIMARY KEY("window_seconds","event_type","region","window_start","project_id");--> statement-breakpoint
ALTER TABLE "raw_events" ADD CONSTRAINT "raw_events_event_id_event_time_project_id_pk" PRIMARY KEY("event_id","event_time","project_id");--> statement-breakpoint
ALTER TABLE "aggregation_regions" ADD CONSTRAINT "aggregation_regions_scope_project_id_region_pk" PRIMARY KEY("scope","project_id","region");--> statement-breakpoint
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_user_id_auth_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."auth_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "project_members_user_idx" ON "project_members" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "anomalies_series_window_idx" ON "anomalies" USING btree ("project_id","event_type","region","metric","window_seconds","window_start");--> statement-breakpoint
CREATE INDEX "anomalies_created_idx" ON "anomalies" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "raw_events_time_idx" ON "raw_events" USING btree ("project_id","event_time" DESC NULLS LAST,"event_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "raw_events_type_time_idx" ON "raw_events" USING btree ("project_id","event_type","event_time" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "alert_rules_series_idx" ON "alert_rules" USING btree ("project_id","window_seconds","event_type","region");--> statement-breakpoint
CREATE INDEX "alert_rules_created_idx" ON "alert_rules" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "detector_states_series_idx" ON "detector_states" USING btree ("project_id","event_type","region","metric");--> statement-breakpoint
-- every existing user keeps what they had: the default project
INSERT INTO "project_members" ("project_id", "user_id") SELECT 'default', "id" FROM "auth_users" ON CONFLICT DO NOTHING;

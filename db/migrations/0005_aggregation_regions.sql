CREATE TABLE "aggregation_regions" (
	"scope" text NOT NULL,
	"region" text NOT NULL,
	"admitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "aggregation_regions_scope_region_pk" PRIMARY KEY("scope","region")
);

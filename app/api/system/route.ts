import { getCardinalityStatus } from "@/db/queries/aggregation-regions";
import { listSystemSeries, listWorkerSnapshots } from "@/db/queries/system-metrics";
import { projectOf } from "@/lib/auth/principal";
import { getEnv } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import * as system from "@/lib/http/contracts/system";
import { defineRoute } from "@/lib/http/define-route";
import { logger } from "@/lib/logger";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/system: dependency health, the latest snapshot of each worker instance,
 * processor throughput and lag over the last hour (from system_metrics), and whether the
 * aggregates' cardinality bounds are hit. Health is
 * answered even when PostgreSQL is down (workers and series are then null).
 */
export const GET = defineRoute(system.getSystem, async ({ query: { minutes }, correlationId, principal }) => {
  // The page must still show health when PostgreSQL is the thing that is down.
  const unavailable = (error: unknown) => {
    logger.warn({ err: error, correlation_id: correlationId }, "system_metrics_unavailable");
    return null;
  };
  const bucketSeconds = minutes <= 60 ? 30 : Math.ceil((minutes * 60) / 240);
  const env = getEnv();
  const [health, workers, series, cardinality] = await Promise.all([
    checkHealth(),
    listWorkerSnapshots(minutes).catch(unavailable),
    listSystemSeries(minutes, bucketSeconds).catch(unavailable),
    getCardinalityStatus(env.PROCESSOR_GROUP_ID, projectOf(principal), env.AGGREGATION_REGION_LIMIT).catch(
      unavailable,
    ),
  ]);
  return { health, minutes, bucket_seconds: bucketSeconds, workers, series, cardinality };
});

import { z } from "zod";
import { listSystemSeries, listWorkerSnapshots } from "@/db/queries/system-metrics";
import { checkHealth } from "@/lib/health";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { logger } from "@/lib/logger";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = z.strictObject({
  minutes: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});

/**
 * GET /api/system: dependency health, the latest snapshot of each worker instance, and
 * processor throughput and lag over the last hour (from system_metrics). Health is
 * answered even when PostgreSQL is down (workers and series are then null).
 */
export const GET = withRoute("system.get", async (request, { correlationId }) => {
  const { minutes } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  // The page must still show health when PostgreSQL is the thing that is down.
  const unavailable = (error: unknown) => {
    logger.warn({ err: error, correlation_id: correlationId }, "system_metrics_unavailable");
    return null;
  };
  const bucketSeconds = minutes <= 60 ? 30 : Math.ceil((minutes * 60) / 240);
  const [health, workers, series] = await Promise.all([
    checkHealth(),
    listWorkerSnapshots(minutes).catch(unavailable),
    listSystemSeries(minutes, bucketSeconds).catch(unavailable),
  ]);
  return jsonResponse({ health, minutes, bucket_seconds: bucketSeconds, workers, series });
});

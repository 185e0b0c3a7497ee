/**
 * The one entry point of every worker process: `npm run worker -- <role>`.
 * Each role is a list of components started in order and stopped in reverse.
 */
import { closeDb, getSql } from "@/db/client";
import { createKafka } from "@/lib/kafka/client";
import { logger } from "@/lib/logger";
import { createRegistrySnapshots } from "@/lib/services/system/report-snapshots";
import { createRedis } from "@/lib/redis";
import { createAlertsWorker } from "./alerts/alerts.worker";
import { createAnomalyWorker } from "./anomaly/anomaly.consumer";
import { createLifecycle, type Component } from "./lifecycle";
import { parseRole, type WorkerRole } from "./roles";
import { createMetricsServer } from "./metrics-server";
import { createProcessor } from "./processor/processor.consumer";
import { ProcessorStats } from "./processor/processor-stats";
import { createRealtimeRebuild } from "./processor/realtime-rebuild";
import { createRetentionJob } from "./processor/retention.job";
import { createSystemSnapshot } from "./processor/system-snapshot";
import { createWindowCloser } from "./processor/window-closer";

interface RoleDeps {
  kafka: ReturnType<typeof createKafka>;
  redis: ReturnType<typeof createRedis>;
}

/** Each role's components after the stores, in start order (the registry is workers/roles.ts). */
const roleComponents: Record<WorkerRole, (deps: RoleDeps) => Component[]> = {
  processor: ({ kafka, redis }) => {
    const stats = new ProcessorStats();
    return [
      createProcessor({ kafka, redis, stats }),
      createWindowCloser({ kafka, redis }),
      createSystemSnapshot({ kafka, stats, role: "processor" }),
      createRetentionJob(),
      createRealtimeRebuild(redis),
    ];
  },
  anomaly: ({ kafka, redis }) => [createAnomalyWorker({ kafka, redis }), createRegistrySnapshots("anomaly")],
  alerts: () => [createAlertsWorker(), createRegistrySnapshots("alerts")],
};

function storesComponent(redis: ReturnType<typeof createRedis>): Component {
  return {
    name: "stores",
    async start() {
      await getSql()`select 1`;
    },
    async stop() {
      redis.disconnect();
      await closeDb();
    },
    async healthcheck() {
      await getSql()`select 1`;
      if (redis.status !== "ready") throw new Error(`redis ${redis.status}`);
    },
  };
}

async function main(): Promise<void> {
  const role = parseRole(process.argv[2]);
  process.title = `analytics-${role}`;
  const kafka = createKafka(role);
  const redis = createRedis(role);
  const components: Component[] = [storesComponent(redis), ...roleComponents[role]({ kafka, redis })];
  // Started last, stopped first: no scrape or probe reaches a half-stopped worker.
  const probes = { state: () => lifecycle.state(), health: () => lifecycle.health() };
  const lifecycle = createLifecycle([...components, createMetricsServer(probes)]);
  logger.info({ role }, "worker_starting");
  try {
    await lifecycle.run();
  } catch (error) {
    logger.error({ err: error, role }, "worker_start_failed");
    await lifecycle.shutdown("crash");
  }
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, "worker_fatal");
  process.exit(1);
});

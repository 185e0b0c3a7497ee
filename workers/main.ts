/**
 * The one entry point of every worker process: `npm run worker -- <role>`.
 * Each role is a list of components started in order and stopped in reverse.
 */
import { closeDb, getSql } from "@/db/client";
import { createKafka } from "@/lib/kafka/client";
import { logger } from "@/lib/logger";
import { createRedis } from "@/lib/redis";
import { createAlertsWorker } from "./alerts/alerts.worker";
import { createAnomalyWorker } from "./anomaly/anomaly.consumer";
import { createLifecycle, type Component } from "./lifecycle";
import { createMetricsServer } from "./metrics-server";
import { createProcessor } from "./processor/processor.consumer";
import { ProcessorStats } from "./processor/processor-stats";
import { createRealtimeRebuild } from "./processor/realtime-rebuild";
import { createRetentionJob } from "./processor/retention.job";
import { createSystemSnapshot } from "./processor/system-snapshot";
import { createWindowCloser } from "./processor/window-closer";

const roles = ["processor", "anomaly", "alerts"] as const;
type Role = (typeof roles)[number];

function parseRole(argument: string | undefined): Role {
  const match = roles.find((role) => role === argument);
  if (!match) {
    throw new Error(`Unknown worker role "${argument ?? ""}"; expected one of: ${roles.join(", ")}`);
  }
  return match;
}

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
  const components: Component[] = [storesComponent(redis)];
  if (role === "processor") {
    const stats = new ProcessorStats();
    components.push(
      createProcessor({ kafka, redis, stats }),
      createWindowCloser({ kafka, redis }),
      createSystemSnapshot({ kafka, stats, role }),
      createRetentionJob(),
      createRealtimeRebuild(redis),
    );
  }
  if (role === "anomaly") components.push(createAnomalyWorker({ kafka, redis }));
  if (role === "alerts") components.push(createAlertsWorker());
  // Started last, stopped first: no scrape or probe reaches a half-stopped worker.
  const lifecycle = createLifecycle([...components, createMetricsServer(() => lifecycle.health())]);
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

import { getSql } from "@/db/client";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { applyRetention } from "@/lib/services/maintenance/apply-retention";
import type { Component } from "../lifecycle";

const RETENTION_LOCK_KEY = 7_202_613;

/**
 * Retention, run by every processor on a timer (at start, then every RETENTION_INTERVAL_MS);
 * an advisory lock lets one of them do it at a time. Idempotent.
 */
export function createRetentionJob(): Component {
  const env = getEnv();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const run = async () => {
    await getSql().begin(async (tx) => {
      const [lock] = await tx<
        { locked: boolean }[]
      >`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as locked`;
      if (!lock?.locked) return;
      const result = await applyRetention(tx, {
        now: Date.now(),
        rawEventsDays: env.RETENTION_DAYS,
        aggregationsDays: env.AGGREGATION_RETENTION_DAYS,
        systemMetricsDays: env.SYSTEM_METRICS_RETENTION_DAYS,
      });
      logger.info(result, "retention_applied");
    });
  };

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      running = run()
        .catch((error: unknown) => logger.error({ err: error }, "retention_failed"))
        .finally(() => {
          running = undefined;
          if (timer) schedule(env.RETENTION_INTERVAL_MS);
        });
    }, delay);
  };

  return {
    name: "retention",
    async start() {
      schedule(5_000);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

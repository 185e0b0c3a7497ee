import { getSql, type Sql } from "@/db/client";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { applyRetention } from "@/lib/services/maintenance/apply-retention";
import type { Component } from "../lifecycle";
import { ADVISORY_LOCK_KEYS } from "@/db/advisory-locks";

const RETENTION_LOCK_KEY = ADVISORY_LOCK_KEYS.retention;

/**
 * Releases the pass's advisory lock. A failure is logged, not thrown, so it does not hide the
 * pass's own error: it means the connection was lost, and the session's lock with it.
 */
async function unlock(sql: Sql): Promise<void> {
  try {
    await sql`select pg_advisory_unlock(${RETENTION_LOCK_KEY})`;
  } catch (error) {
    logger.warn({ err: error }, "retention_unlock_failed");
  }
}

/**
 * Retention, run by every processor on a timer (at start, then every RETENTION_INTERVAL_MS);
 * an advisory lock lets one of them do it at a time. Idempotent; stopping ends a pass between
 * two delete statements, and the next pass goes on from there.
 */
export function createRetentionJob(): Component {
  const env = getEnv();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopping = false;

  const run = async () => {
    // TRICKY: no transaction around the pass. Each statement commits on its own, so the lock a
    // dropped partition takes on raw_events and each delete chunk's row locks end with it; the
    // advisory lock is the session's, on a connection reserved for the pass (one connection, as before).
    const sql = await getSql().reserve();
    try {
      const [lock] = await sql<
        { locked: boolean }[]
      >`select pg_try_advisory_lock(${RETENTION_LOCK_KEY}) as locked`;
      if (!lock?.locked) return;
      try {
        const result = await applyRetention(sql, {
          now: Date.now(),
          rawEventsDays: env.RETENTION_DAYS,
          aggregationsDays: env.AGGREGATION_RETENTION_DAYS,
          systemMetricsDays: env.SYSTEM_METRICS_RETENTION_DAYS,
          anomaliesDays: env.ANOMALY_RETENTION_DAYS,
          alertHistoryDays: env.ALERT_HISTORY_RETENTION_DAYS,
          detectorStatesDays: env.DETECTOR_STATE_RETENTION_DAYS,
          stopped: () => stopping,
        });
        logger.info(result, "retention_applied");
      } finally {
        await unlock(sql);
      }
    } finally {
      sql.release();
    }
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
      stopping = false;
      schedule(5_000);
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { readSecondCounts, readSessionsByMinute } from "@/db/queries/recent-activity";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { ACTIVE_SESSION_MINUTES, counterField, redisKeys } from "@/lib/redis";
import type { Component } from "../lifecycle";

/**
 * Redis is a cache: after an outage (or a flush) the processor that wins a short lock
 * rewrites the per-second buckets of the last REALTIME_BUCKET_TTL_SECONDS (6 minutes) and
 * the per-minute session sketches of the last 30 minutes from raw_events. Buckets are
 * overwritten whole, so the rebuild itself never counts twice; increments racing it in
 * the same seconds may be off by one batch.
 */
export async function rebuildRealtime(
  redis: Redis,
): Promise<{ seconds: number; minutes: number } | undefined> {
  const env = getEnv();
  const acquired = await redis.set(redisKeys.rebuildLock(), String(process.pid), "EX", 60, "NX");
  if (acquired !== "OK") return undefined;
  const sql = getSql();
  const since = new Date(Date.now() - env.REALTIME_BUCKET_TTL_SECONDS * 1000);
  // the series the per-second counters keep: bounded as the aggregates are
  const rows = await readSecondCounts(sql, since, {
    eventTypes: env.EVENT_TYPES,
    scope: env.PROCESSOR_GROUP_ID,
  });
  const sessions = await readSessionsByMinute(sql, new Date(Date.now() - ACTIVE_SESSION_MINUTES * 60_000));
  const byKey = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const key = redisKeys.second(row.project_id, Number(row.second));
    const fields = byKey.get(key) ?? {};
    fields[counterField(row.event_type, row.region)] = row.count;
    byKey.set(key, fields);
  }
  const pipeline = redis.pipeline();
  for (const [key, fields] of byKey) {
    pipeline.del(key);
    pipeline.hset(key, fields);
    pipeline.expire(key, env.REALTIME_BUCKET_TTL_SECONDS);
  }
  for (const { project_id: projectId, minute, ids } of sessions) {
    const key = redisKeys.sessionsMinute(projectId, Number(minute));
    pipeline.pfadd(key, ...ids);
    pipeline.expire(key, (ACTIVE_SESSION_MINUTES + 2) * 60);
  }
  await pipeline.exec();
  return { seconds: byKey.size, minutes: sessions.length };
}

/** Runs the rebuild whenever the connection comes back after it was lost. */
export function createRealtimeRebuild(redis: Redis): Component {
  let lost = false;
  const onClose = () => {
    lost = true;
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    rebuildRealtime(redis)
      .then((result) => {
        if (result) logger.info(result, "realtime_counters_rebuilt");
      })
      .catch((error: unknown) => logger.warn({ err: error }, "realtime_rebuild_failed"));
  };
  return {
    name: "realtime-rebuild",
    async start() {
      redis.on("close", onClose);
      redis.on("ready", onReady);
    },
    async stop() {
      redis.off("close", onClose);
      redis.off("ready", onReady);
    },
  };
}

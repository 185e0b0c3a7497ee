import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
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
  const since = new Date(Date.now() - env.REALTIME_BUCKET_TTL_SECONDS * 1000).toISOString();
  const rows = await sql<{ event_type: string; region: string; second: string; count: number }[]>`
    select event_type, coalesce(region, 'unknown') as region,
           floor(extract(epoch from event_time))::int8 as second, count(*)::int as count
    from raw_events where event_time >= ${since}::timestamptz and not late
    group by 1, 2, 3`;
  const sessionsSince = new Date(Date.now() - ACTIVE_SESSION_MINUTES * 60_000).toISOString();
  const sessions = await sql<{ minute: string; ids: string[] }[]>`
    select floor(extract(epoch from event_time) / 60)::int8 as minute, array_agg(distinct session_id) as ids
    from raw_events where event_time >= ${sessionsSince}::timestamptz and session_id is not null and not late
    group by 1`;
  const bySecond = new Map<number, Record<string, number>>();
  for (const row of rows) {
    const fields = bySecond.get(Number(row.second)) ?? {};
    fields[counterField(row.event_type, row.region)] = row.count;
    bySecond.set(Number(row.second), fields);
  }
  const pipeline = redis.pipeline();
  for (const [second, fields] of bySecond) {
    const key = redisKeys.second(second);
    pipeline.del(key);
    pipeline.hset(key, fields);
    pipeline.expire(key, env.REALTIME_BUCKET_TTL_SECONDS);
  }
  for (const { minute, ids } of sessions) {
    const key = redisKeys.sessionsMinute(Number(minute));
    pipeline.pfadd(key, ...ids);
    pipeline.expire(key, (ACTIVE_SESSION_MINUTES + 2) * 60);
  }
  await pipeline.exec();
  return { seconds: bySecond.size, minutes: sessions.length };
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

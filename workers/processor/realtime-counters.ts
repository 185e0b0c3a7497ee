import type { ChainableCommander, Redis } from "ioredis";
import { getEnv } from "@/lib/env";
import { ACTIVE_SESSION_MINUTES, counterField, redisKeys } from "@/lib/redis";
import type { SecondCount } from "@/lib/services/events/persist-batch";

/**
 * Adds a batch's newly stored events to the per-second hashes and the session sketches
 * (one pipeline). The live channel's counts come from the web process at acknowledgement
 * (lib/services/events/publish-live-counts.ts), not from here. Redis is a cache: callers
 * treat failure as degraded.
 */
export async function recordSecondCounts(
  redis: Redis,
  counts: SecondCount[],
  sessions: SessionSighting[] = [],
): Promise<void> {
  if (counts.length === 0 && sessions.length === 0) return;
  const ttl = getEnv().REALTIME_BUCKET_TTL_SECONDS;
  const pipeline = redis.pipeline();
  addSessions(pipeline, sessions);
  const touched = new Set<string>();
  for (const row of counts) {
    const key = redisKeys.second(row.project_id, row.second);
    pipeline.hincrby(key, counterField(row.event_type, row.region), row.count);
    touched.add(key);
  }
  for (const key of touched) pipeline.expire(key, ttl);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
}

/** A session id seen at a time (epoch ms). */
export interface SessionSighting {
  projectId: string;
  sessionId: string;
  time: number;
}

/** PFADD is idempotent, so a redelivered batch cannot inflate the active-session count. */
function addSessions(pipeline: ChainableCommander, sessions: SessionSighting[]): void {
  const byKey = new Map<string, string[]>();
  const oldest = Math.floor(Date.now() / 60_000) - ACTIVE_SESSION_MINUTES;
  for (const { projectId, sessionId, time } of sessions) {
    const minute = Math.floor(time / 60_000);
    if (minute < oldest) continue;
    const key = redisKeys.sessionsMinute(projectId, minute);
    const list = byKey.get(key) ?? [];
    list.push(sessionId);
    byKey.set(key, list);
  }
  for (const [key, ids] of byKey) {
    pipeline.pfadd(key, ...ids);
    pipeline.expire(key, (ACTIVE_SESSION_MINUTES + 2) * 60);
  }
}

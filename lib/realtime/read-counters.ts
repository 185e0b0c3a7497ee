import type { Redis } from "ioredis";
import { ACTIVE_SESSION_MINUTES, parseCounterField, redisKeys } from "../redis";

export interface RealtimeSnapshot {
  /** Epoch seconds of the newest bucket in the range. */
  now: number;
  seconds: number;
  /** Events per second over the range, oldest first. */
  series: { second: number; total: number }[];
  by_type: Record<string, number>;
  by_region: Record<string, number>;
  total: number;
  /** Distinct sessions seen in the last 30 minutes (HyperLogLog, about 1 % error). */
  active_sessions?: number;
}

/** Sums the per-second buckets of the last `seconds` seconds (one pipeline). */
export async function readRealtime(
  redis: Redis,
  seconds: number,
  nowMs = Date.now(),
): Promise<RealtimeSnapshot> {
  const now = Math.floor(nowMs / 1000);
  const pipeline = redis.pipeline();
  for (let second = now - seconds + 1; second <= now; second++) pipeline.hgetall(redisKeys.second(second));
  const minute = Math.floor(nowMs / 60_000);
  const sessionKeys = Array.from({ length: ACTIVE_SESSION_MINUTES }, (_, i) =>
    redisKeys.sessionsMinute(minute - i),
  );
  pipeline.pfcount(...sessionKeys);
  const results = (await pipeline.exec()) ?? [];
  const sessions = results.pop();
  if (sessions?.[0]) throw sessions[0];
  const snapshot: RealtimeSnapshot = {
    now,
    seconds,
    series: [],
    by_type: {},
    by_region: {},
    total: 0,
    active_sessions: Number(sessions?.[1] ?? 0),
  };
  results.forEach(([error, value], index) => {
    if (error) throw error;
    let total = 0;
    for (const [field, raw] of Object.entries((value ?? {}) as Record<string, string>)) {
      const count = Number(raw);
      const { eventType, region } = parseCounterField(field);
      snapshot.by_type[eventType] = (snapshot.by_type[eventType] ?? 0) + count;
      snapshot.by_region[region] = (snapshot.by_region[region] ?? 0) + count;
      total += count;
    }
    snapshot.series.push({ second: now - seconds + 1 + index, total });
    snapshot.total += total;
  });
  return snapshot;
}

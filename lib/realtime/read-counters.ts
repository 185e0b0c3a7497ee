import type { Redis } from "ioredis";
import { ACTIVE_SESSION_MINUTES, redisKeys } from "../redis";
import { readSnapshotCells } from "./read-snapshot";

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

/**
 * The last `seconds` seconds of per-second buckets (the same read the live stream's snapshot
 * makes, without its per-cell detail) and the active sessions of the last 30 minutes.
 */
export async function readRealtime(
  redis: Redis,
  projectId: string,
  seconds: number,
  nowMs = Date.now(),
): Promise<RealtimeSnapshot> {
  const minute = Math.floor(nowMs / 60_000);
  const sessionKeys = Array.from({ length: ACTIVE_SESSION_MINUTES }, (_, i) =>
    redisKeys.sessionsMinute(projectId, minute - i),
  );
  const [{ cells: _cells, ...snapshot }, activeSessions] = await Promise.all([
    readSnapshotCells(redis, projectId, seconds, nowMs),
    redis.pfcount(...sessionKeys),
  ]);
  return { ...snapshot, active_sessions: activeSessions };
}

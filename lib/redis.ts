import { Redis, type RedisOptions } from "ioredis";
import { getEnv } from "./env";
import { logger } from "./logger";

/**
 * A new ioredis connection. Redis is a cache here: while it is down a command waits for
 * one reconnection attempt at most, then fails, so callers carry on and report it
 * instead of piling up work.
 */
export function createRedis(name: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(getEnv().REDIS_URL, {
    connectionName: `analytics-${name}`,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
    ...options,
  });
  let reported = false;
  redis.on("error", (error: Error) => {
    // One line per outage, not one per reconnect attempt.
    if (!reported) logger.warn({ err: error, connection: name }, "redis_connection_error");
    reported = true;
  });
  redis.on("ready", () => {
    if (reported) logger.info({ connection: name }, "redis_connection_restored");
    reported = false;
  });
  return redis;
}

/**
 * Key names, all under the configured prefix so that several stacks can share a server, and
 * the counters under their project. The live channel is one; each message names its project.
 */
export const redisKeys = {
  second: (projectId: string, epochSecond: number) =>
    `${getEnv().REDIS_KEY_PREFIX}rt:${projectId}:sec:${epochSecond}`,
  liveChannel: () => `${getEnv().REDIS_KEY_PREFIX}live`,
  /** HyperLogLog of the session ids seen in one minute (epoch minute). */
  sessionsMinute: (projectId: string, epochMinute: number) =>
    `${getEnv().REDIS_KEY_PREFIX}rt:${projectId}:sessions:${epochMinute}`,
  rebuildLock: () => `${getEnv().REDIS_KEY_PREFIX}rt:rebuild-lock`,
};

/** Active sessions are those seen in the last 30 minutes. */
export const ACTIVE_SESSION_MINUTES = 30;

/** The field of a per-second hash: event type and region. */
export function counterField(eventType: string, region: string): string {
  return `${eventType}|${region}`;
}

export function parseCounterField(field: string): { eventType: string; region: string } {
  const bar = field.indexOf("|");
  return { eventType: field.slice(0, bar), region: field.slice(bar + 1) };
}

import type { Redis } from "ioredis";
import { getEnv } from "../env";
import { createRedis } from "../redis";

/**
 * A Redis connection for BullMQ. BullMQ needs `maxRetriesPerRequest: null` (its blocking commands
 * must wait for a reconnect rather than fail) and no command timeout (they block on purpose).
 */
export function createQueueConnection(name: string): Redis {
  return createRedis(`bullmq-${name}`, {
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    enableOfflineQueue: true,
  });
}

/**
 * A Redis connection for a BullMQ Queue that only adds jobs (the anomaly worker, the web app).
 * Unlike a Worker it runs no blocking command, so it fails fast: while Redis is down an add
 * is refused at once instead of waiting in the offline queue, and the caller carries on
 * (a delivery's outbox row is committed already; the alerts worker's sweep queues it later).
 */
export function createQueueProducerConnection(name: string): Redis {
  return createRedis(`bullmq-${name}`, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 2000,
  });
}

/** Every queue's keys live under the configured prefix, so test runs and stacks never share jobs. */
export function queuePrefix(): string {
  return `${getEnv().REDIS_KEY_PREFIX}bull`;
}

/**
 * BullMQ loses jobs when Redis evicts keys: it needs `maxmemory-policy noeviction`. Returns the
 * policy, or undefined when the server does not let us read it (managed Redis often forbids CONFIG).
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as unknown;
    if (Array.isArray(reply)) return typeof reply[1] === "string" ? reply[1] : undefined;
    if (reply !== null && typeof reply === "object") {
      const value = (reply as Record<string, unknown>)["maxmemory-policy"];
      return typeof value === "string" ? value : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

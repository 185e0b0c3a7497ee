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

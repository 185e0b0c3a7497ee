import "server-only";
import type { Redis } from "ioredis";
import { createRedis } from "../redis";

const globalKey = Symbol.for("analytics.redis.web");
type GlobalWithRedis = typeof globalThis & { [globalKey]?: Redis };

/** The web process's Redis connection for reads (one per process). */
export function getWebRedis(): Redis {
  const holder = globalThis as GlobalWithRedis;
  holder[globalKey] ??= createRedis("web");
  return holder[globalKey];
}

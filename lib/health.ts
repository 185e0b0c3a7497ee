import "server-only";
import { getSql } from "@/db/client";
import { isDraining } from "./http/shutdown";
import { createKafka } from "./kafka/client";
import { getWebRedis } from "./realtime/redis-client";

export type DependencyStatus = { status: "ok"; latency_ms: number } | { status: "down"; error: string };

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<DependencyStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: "ok", latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: "down", error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

const kafkaKey = Symbol.for("analytics.kafka.health");
type GlobalWithKafka = typeof globalThis & { [kafkaKey]?: ReturnType<typeof createKafka> };

async function checkKafka(): Promise<void> {
  const holder = globalThis as GlobalWithKafka;
  holder[kafkaKey] ??= createKafka("health");
  const admin = holder[kafkaKey].admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

/**
 * Liveness of each dependency; ingestion needs Kafka, queries need PostgreSQL, live data Redis.
 * A process that is shutting down answers `draining`, so load balancers stop routing to it.
 */
export async function checkHealth() {
  const [kafka, postgres, redis] = await Promise.all([
    probe(checkKafka),
    probe(() => getSql()`select 1`),
    probe(() => getWebRedis().ping()),
  ]);
  const status = isDraining()
    ? "draining"
    : kafka.status === "ok" && postgres.status === "ok"
      ? redis.status === "ok"
        ? "ok"
        : "degraded"
      : "down";
  return { status, checks: { kafka, postgres, redis } } as const;
}

import { hostname } from "node:os";
import { getSql } from "@/db/client";
import { readStoredOffsets } from "@/db/queries/consumer-progress";
import { getEnv } from "@/lib/env";
import { createAdmin } from "@/lib/kafka/client";
import type { KafkaAdmin, KafkaConnection } from "@/lib/kafka/types";
import { logger } from "@/lib/logger";
import { processorConsumerLag } from "@/lib/metrics";
import { recordSystemSnapshot } from "@/lib/services/system/record-snapshot";
import type { Component } from "../lifecycle";
import type { ProcessorStats } from "./processor-stats";

const INTERVAL_MS = 10_000;

/**
 * Every 10 s: a system_metrics row for this processor (rates in and persisted, lag per
 * assigned partition, batch duration p50/p99, late events, RSS), for the system page.
 */
export function createSystemSnapshot({
  kafka,
  stats,
  role,
}: {
  kafka: KafkaConnection;
  stats: ProcessorStats;
  role: string;
}): Component {
  const env = getEnv();
  const instance = `${hostname()}:${process.pid}`;
  let admin: KafkaAdmin | undefined;
  let timer: NodeJS.Timeout | undefined;
  let last = Date.now();

  const measureLag = async (): Promise<Record<string, number>> => {
    const lag: Record<string, number> = {};
    if (!admin) return lag;
    const topics = Object.keys(stats.assignment);
    if (topics.length === 0) return lag;
    const next = await readStoredOffsets(getSql(), env.PROCESSOR_GROUP_ID, topics);
    for (const topic of topics) {
      const mine = new Set(stats.assignment[topic] ?? []);
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (!mine.has(partition)) continue;
        const key = `${topic}/${partition}`;
        const value = Math.max(0, Number(high) - (next.get(key) ?? Number(low)));
        lag[key] = value;
        processorConsumerLag.set({ topic, partition: String(partition) }, value);
      }
    }
    return lag;
  };

  const snapshot = async () => {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - last) / 1000);
    last = now;
    const figures = stats.take();
    const lag = await measureLag();
    await recordSystemSnapshot(getSql(), {
      role,
      instance,
      eventsInPerSecond: figures.consumed / seconds,
      eventsPersistedPerSecond: figures.persisted / seconds,
      lagByPartition: lag,
      batchP50Ms: figures.p50,
      batchP99Ms: figures.p99,
      lateEvents: figures.late,
      rssBytes: process.memoryUsage.rss(),
    });
  };

  const schedule = () => {
    timer = setTimeout(() => {
      snapshot()
        .catch((error: unknown) => logger.warn({ err: error }, "system_snapshot_failed"))
        .finally(() => {
          if (timer) schedule();
        });
    }, INTERVAL_MS);
  };

  return {
    name: "system-snapshot",
    async start() {
      admin = createAdmin(kafka);
      await admin.connect();
      last = Date.now();
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await admin?.disconnect();
    },
  };
}

import { hostname } from "node:os";
import type { Admin, Kafka } from "kafkajs";
import { getSql } from "@/db/client";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { processorConsumerLag } from "@/lib/metrics";
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
  kafka: Kafka;
  stats: ProcessorStats;
  role: string;
}): Component {
  const env = getEnv();
  const instance = `${hostname()}:${process.pid}`;
  let admin: Admin | undefined;
  let timer: NodeJS.Timeout | undefined;
  let last = Date.now();

  const measureLag = async (): Promise<Record<string, number>> => {
    const lag: Record<string, number> = {};
    if (!admin) return lag;
    const topics = Object.keys(stats.assignment);
    if (topics.length === 0) return lag;
    const stored = await getSql()<{ topic: string; partition: number; next_offset: string }[]>`
      select topic, partition, next_offset from consumer_offsets
      where group_id = ${env.PROCESSOR_GROUP_ID} and topic in ${getSql()(topics)}`;
    const next = new Map(stored.map((row) => [`${row.topic}/${row.partition}`, Number(row.next_offset)]));
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
    await getSql()`
      insert into system_metrics (role, instance, events_in_per_second, events_persisted_per_second,
                                  consumer_lag, lag_by_partition, batch_p50_ms, batch_p99_ms, late_events, rss_bytes)
      values (${role}, ${instance}, ${figures.consumed / seconds}, ${figures.persisted / seconds},
              ${Object.values(lag).reduce((a, b) => a + b, 0)}, ${JSON.stringify(lag)}::text::jsonb,
              ${figures.p50}, ${figures.p99}, ${figures.late}, ${process.memoryUsage.rss()})`;
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
      admin = kafka.admin();
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

import "server-only";
import { hostname } from "node:os";
import { getSql } from "@/db/client";
import { logger } from "@/lib/logger";
import { registry } from "@/lib/metrics";
import { recordSystemSnapshot } from "./record-snapshot";
import { counterTotal, histogramBuckets, quantileBetween, type MetricReading } from "./registry-figures";

const INTERVAL_MS = 10_000;

interface CounterRef {
  name: string;
  where?: Record<string, string>;
}

/**
 * What the System page shows of each role that is not a processor (the processor reports its
 * own, with lag per partition: workers/processor/system-snapshot.ts), read from the process's
 * metrics: "in" and "out" per second, and a duration's p50/p99.
 */
export const REGISTRY_ROLES = {
  // received (acknowledged or rejected), acknowledged by Kafka; the POST's duration
  web: {
    in: [{ name: "analytics_ingest_events_total" }, { name: "analytics_ingest_rejected_events_total" }],
    out: [{ name: "analytics_ingest_events_total" }],
    duration: "analytics_ingest_request_seconds",
  },
  // closed windows consumed, scored; the batch's duration
  anomaly: {
    in: [{ name: "analytics_anomaly_windows_total" }],
    out: [{ name: "analytics_anomaly_windows_total", where: { outcome: "processed" } }],
    duration: "analytics_anomaly_batch_seconds",
  },
  // webhook attempts, delivered; one POST's duration
  alerts: {
    in: [{ name: "analytics_alert_delivery_attempts_total" }],
    out: [{ name: "analytics_alert_delivery_attempts_total", where: { outcome: "delivered" } }],
    duration: "analytics_alert_delivery_seconds",
  },
} satisfies Record<string, { in: CounterRef[]; out: CounterRef[]; duration: string }>;

export type RegistryRole = keyof typeof REGISTRY_ROLES;

async function read(name: string): Promise<MetricReading | undefined> {
  return (await registry.getSingleMetric(name)?.get()) as MetricReading | undefined;
}

async function sum(refs: readonly CounterRef[]): Promise<number> {
  let total = 0;
  for (const ref of refs) total += counterTotal(await read(ref.name), ref.where);
  return total;
}

/**
 * Every 10 s, a system_metrics row of this process in `role` (instance `host:pid`). A failed
 * write (PostgreSQL away) is logged once until one succeeds again; nothing waits on it.
 */
export function createRegistrySnapshots(role: RegistryRole): {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
} {
  const metrics = REGISTRY_ROLES[role];
  const instance = `${hostname()}:${process.pid}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let failing = false;

  const reading = async () => ({
    at: Date.now(),
    in: await sum(metrics.in),
    out: await sum(metrics.out),
    buckets: histogramBuckets(await read(metrics.duration)),
  });
  // start() reads the first one
  let last = { at: Date.now(), in: 0, out: 0, buckets: new Map<number, number>() };

  const take = async () => {
    const now = await reading();
    const seconds = Math.max(0.001, (now.at - last.at) / 1000);
    const figures = {
      role,
      instance,
      eventsInPerSecond: (now.in - last.in) / seconds,
      eventsPersistedPerSecond: (now.out - last.out) / seconds,
      lagByPartition: {},
      batchP50Ms: quantileBetween(last.buckets, now.buckets, 0.5),
      batchP99Ms: quantileBetween(last.buckets, now.buckets, 0.99),
      lateEvents: 0,
      rssBytes: process.memoryUsage.rss(),
    };
    last = now;
    await recordSystemSnapshot(getSql(), figures);
  };

  const schedule = () => {
    timer = setTimeout(() => {
      running = take()
        .then(() => {
          failing = false;
        })
        .catch((error: unknown) => {
          if (!failing) logger.warn({ err: error, role }, "system_snapshot_failed");
          failing = true;
        })
        .finally(() => {
          running = undefined;
          if (timer) schedule();
        });
    }, INTERVAL_MS);
    // a snapshot never keeps a process alive
    timer.unref();
  };

  return {
    name: "system-snapshot",
    async start() {
      last = await reading();
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

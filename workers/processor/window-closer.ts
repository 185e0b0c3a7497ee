import { Partitioners, type Kafka, type Producer } from "kafkajs";
import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { FIGURES_SQL, toFigures, type FiguresRow } from "@/db/queries/aggregation-figures";
import { closedWindowsTopic, type ClosedWindow } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { windowsClosedTotal } from "@/lib/metrics";
import { redisKeys } from "@/lib/redis";
import type { Component } from "../lifecycle";

const CLOSER_LOCK_KEY = 7_202_612;
const MAX_PER_TICK = 2000;

/**
 * Closes windows whose end the global watermark passed: the smallest watermark of the
 * group's active partitions (a partition silent longer than the idle timeout does not hold
 * windows back; with every partition idle the wall clock minus the lateness is used).
 * Closing and sending are two steps: a short transaction marks the windows closed, then
 * an outbox pass sends every closed, unsent window to Kafka and marks it sent, so each is
 * emitted at least once; one processor at a time does this (advisory lock).
 */
export function createWindowCloser({ kafka, redis }: { kafka: Kafka; redis: Redis }): Component {
  const env = getEnv();
  const topic = closedWindowsTopic(env.KAFKA_TOPIC_PREFIX);
  let producer: Producer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastTickOk = true;

  /** Marks the windows the watermark passed as closed: a short transaction, no I/O inside. */
  const closeWindows = async (): Promise<boolean> =>
    getSql().begin(async (tx) => {
      const [lock] = await tx<
        { locked: boolean }[]
      >`select pg_try_advisory_xact_lock(${CLOSER_LOCK_KEY}) as locked`;
      if (!lock?.locked) return false;
      const [mark] = await tx<{ watermark: string | Date }[]>`
        select coalesce(min(max_event_time) filter (where updated_at > now() - make_interval(secs => ${env.IDLE_PARTITION_MS / 1000})),
                        now()) - make_interval(secs => ${env.ALLOWED_LATENESS_MS / 1000}) as watermark
        from partition_watermarks where group_id = ${env.PROCESSOR_GROUP_ID}`;
      const watermark = new Date(mark?.watermark ?? Date.now() - env.ALLOWED_LATENESS_MS).toISOString();
      await tx`
        update aggregations set closed_at = now()
        where closed_at is null and window_start <= ${watermark}::timestamptz
          and window_start + make_interval(secs => window_seconds) <= ${watermark}::timestamptz`;
      return true;
    });

  /**
   * Sends closed windows not yet sent (the outbox), then marks them sent. Kafka is awaited
   * with no row locked, so batches never wait on it; a crash in between re-sends (at least once).
   */
  const emitClosedWindows = async (): Promise<ClosedWindow[]> =>
    getSql().begin(async (tx) => {
      const [lock] = await tx<
        { locked: boolean }[]
      >`select pg_try_advisory_xact_lock(${CLOSER_LOCK_KEY}) as locked`;
      if (!lock?.locked) return [];
      const rows = await tx.unsafe<(FiguresRow & { closed_at: string | Date })[]>(
        `select ${FIGURES_SQL}, closed_at from aggregations
         where closed_at is not null and emitted_at is null
         order by window_start, window_seconds, event_type, region
         limit ${MAX_PER_TICK}`,
      );
      if (rows.length === 0) return [];
      const windows: ClosedWindow[] = rows.map(({ closed_at, ...row }) => ({
        ...toFigures(row),
        closed_at: new Date(closed_at).toISOString(),
      }));
      await producer?.send({
        topic,
        acks: -1,
        messages: windows.map((window) => ({
          key: `${window.event_type}|${window.region}`,
          value: JSON.stringify(window),
        })),
      });
      await tx.unsafe(
        `update aggregations a set emitted_at = now()
         from json_to_recordset($1::text::json) as t(window_seconds int, event_type text, region text, window_start timestamptz)
         where a.window_seconds = t.window_seconds and a.event_type = t.event_type
           and a.region = t.region and a.window_start = t.window_start`,
        [
          JSON.stringify(
            windows.map(({ window_seconds, event_type, region, window_start }) => ({
              window_seconds,
              event_type,
              region,
              window_start,
            })),
          ),
        ],
      );
      return windows;
    });

  const tick = async () => {
    if (!(await closeWindows())) return;
    const closed = await emitClosedWindows();
    if (closed.length === 0) return;
    windowsClosedTotal.inc(closed.length);
    logger.debug({ windows: closed.length }, "windows_closed");
    try {
      const pipeline = redis.pipeline();
      for (const window of closed)
        pipeline.publish(redisKeys.liveChannel(), JSON.stringify({ kind: "window", window }));
      await pipeline.exec();
    } catch (error) {
      logger.warn({ err: error }, "closed_window_publish_failed");
    }
  };

  const schedule = () => {
    timer = setTimeout(() => {
      running = tick()
        .then(() => {
          if (!lastTickOk) logger.info("window_closer_recovered");
          lastTickOk = true;
        })
        .catch((error: unknown) => {
          if (lastTickOk) logger.error({ err: error }, "window_closer_failed");
          lastTickOk = false;
        })
        .finally(() => {
          running = undefined;
          if (timer) schedule();
        });
    }, env.WINDOW_CLOSE_INTERVAL_MS);
  };

  return {
    name: "window-closer",
    async start() {
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
      await producer?.disconnect();
    },
    async healthcheck() {
      if (!lastTickOk) throw new Error("the last window-closing pass failed");
    },
  };
}

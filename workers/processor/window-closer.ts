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
 * Each closed window is sent to Kafka before it is marked closed, so it is emitted at
 * least once; one processor at a time does this (advisory lock).
 */
export function createWindowCloser({ kafka, redis }: { kafka: Kafka; redis: Redis }): Component {
  const env = getEnv();
  const topic = closedWindowsTopic(env.KAFKA_TOPIC_PREFIX);
  let producer: Producer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastTickOk = true;

  const tick = async () => {
    const sql = getSql();
    const closed = await sql.begin(async (tx) => {
      const [lock] = await tx<
        { locked: boolean }[]
      >`select pg_try_advisory_xact_lock(${CLOSER_LOCK_KEY}) as locked`;
      if (!lock?.locked) return [];
      const [mark] = await tx<{ watermark: string | Date }[]>`
        select coalesce(min(max_event_time) filter (where updated_at > now() - make_interval(secs => ${env.IDLE_PARTITION_MS / 1000})),
                        now()) - make_interval(secs => ${env.ALLOWED_LATENESS_MS / 1000}) as watermark
        from partition_watermarks where group_id = ${env.PROCESSOR_GROUP_ID}`;
      const watermark = new Date(mark?.watermark ?? Date.now() - env.ALLOWED_LATENESS_MS).toISOString();
      const rows = await tx.unsafe<FiguresRow[]>(
        `select ${FIGURES_SQL} from aggregations
         where closed_at is null and window_start + make_interval(secs => window_seconds) <= $1::timestamptz
         order by window_start, window_seconds, event_type, region
         limit ${MAX_PER_TICK}
         for update`,
        [watermark],
      );
      if (rows.length === 0) return [];
      const closedAt = new Date().toISOString();
      const windows: ClosedWindow[] = rows.map((row) => ({ ...toFigures(row), closed_at: closedAt }));
      await producer?.send({
        topic,
        acks: -1,
        messages: windows.map((window) => ({
          key: `${window.event_type}|${window.region}`,
          value: JSON.stringify(window),
        })),
      });
      await tx.unsafe(
        `update aggregations a set closed_at = $2::timestamptz
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
          closedAt,
        ],
      );
      return windows;
    });
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

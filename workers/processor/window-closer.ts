import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { closedWindowsTopic } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { createIdempotentProducer } from "@/lib/kafka/client";
import type { KafkaConnection, RecordProducer } from "@/lib/kafka/types";
import { logger } from "@/lib/logger";
import { windowsClosedTotal } from "@/lib/metrics";
import { redisKeys } from "@/lib/redis";
import { closeDueWindows, emitClosedWindows } from "@/lib/services/aggregations/close-windows";
import type { Component } from "../lifecycle";

/** A pass whose send is not acknowledged by then fails; the next pass sends the windows again. */
const SEND_TIMEOUT_MS = 15_000;

/**
 * Once every WINDOW_CLOSE_INTERVAL_MS: closes the windows the watermark passed, sends every
 * closed, unsent window to Kafka (the outbox: at least once) and publishes them on the live
 * channel. The SQL and its rules are in lib/services/aggregations/close-windows.ts.
 */
export function createWindowCloser({ kafka, redis }: { kafka: KafkaConnection; redis: Redis }): Component {
  const env = getEnv();
  const topic = closedWindowsTopic(env.KAFKA_TOPIC_PREFIX);
  let producer: RecordProducer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastTickOk = true;

  const tick = async () => {
    const rules = {
      groupId: env.PROCESSOR_GROUP_ID,
      allowedLatenessMs: env.ALLOWED_LATENESS_MS,
      idlePartitionMs: env.IDLE_PARTITION_MS,
      closeGraceMs: env.WINDOW_CLOSE_GRACE_MS,
    };
    if (!(await closeDueWindows(getSql(), rules))) return;
    const closed = await emitClosedWindows(getSql(), async (windows) => {
      if (!producer) throw new Error("the window closer's producer is not connected");
      await producer.send({
        topic,
        acks: -1,
        messages: windows.map((window) => ({
          key: `${window.project_id}|${window.event_type}|${window.region}`,
          value: JSON.stringify(window),
        })),
      });
    });
    if (closed.length === 0) return;
    windowsClosedTotal.inc(closed.length);
    logger.debug({ windows: closed.length }, "windows_closed");
    try {
      const pipeline = redis.pipeline();
      for (const window of closed)
        pipeline.publish(
          redisKeys.liveChannel(),
          JSON.stringify({ kind: "window", project: window.project_id, window }),
        );
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
      producer = createIdempotentProducer(kafka, "closed-windows", SEND_TIMEOUT_MS);
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

import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from "kafkajs";
import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { ensureRawEventPartitions } from "@/db/partitions";
import { getEnv } from "@/lib/env";
import { configuredEventTopics, ensureEventTopics } from "@/lib/kafka/topics";
import { logger } from "@/lib/logger";
import {
  processorBatchSeconds,
  processorDeadLettersTotal,
  processorEventsTotal,
  processorLateEventsTotal,
  processorRedisFailuresTotal,
} from "@/lib/metrics";
import { persistBatch, type ConsumedEvent } from "@/lib/services/events/persist-batch";
import type { Component } from "../lifecycle";
import { WatermarkTracker } from "../processing/watermark";
import { decodeEvent } from "./decode";
import { recordSecondCounts } from "./realtime-counters";

const DAY_MS = 86_400_000;
const DEADLOCK = "40P01";
const SERIALIZATION_FAILURE = "40001";

export interface ProcessorDeps {
  kafka: Kafka;
  redis: Redis;
}

/**
 * The stream processor: a consumer-group member over every event topic. Per batch it
 * stores raw events, aggregate increments and the next offset in one PostgreSQL
 * transaction, then commits the offset to Kafka (for lag monitoring) and adds the
 * counts to Redis.
 */
export function createProcessor({
  kafka,
  redis,
}: ProcessorDeps): Component & { consumer: () => Consumer | undefined } {
  const env = getEnv();
  const groupId = env.PROCESSOR_GROUP_ID;
  const deadLetterTopic = `${env.KAFKA_TOPIC_PREFIX}events.dead-letter`;
  const maxWindowMs = Math.max(...env.WINDOW_SIZES_SECONDS) * 1000;
  const watermarks = new WatermarkTracker(env.ALLOWED_LATENESS_MS, maxWindowMs);
  const knownDays = new Set<number>();
  let consumer: Consumer | undefined;
  let dlqProducer: Producer | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;

  const ensurePartitions = async (events: ConsumedEvent[]) => {
    const days = new Set(events.map(({ event }) => Math.floor(event.timestamp / DAY_MS)));
    const missing = [...days].filter((day) => !knownDays.has(day));
    if (missing.length === 0) return;
    await ensureRawEventPartitions(getSql(), Math.min(...missing) * DAY_MS, Math.max(...missing) * DAY_MS);
    missing.forEach((day) => knownDays.add(day));
  };

  const sendToDeadLetter = async (
    topic: string,
    partition: number,
    bad: { offset: string; value: Buffer | null; reason: string }[],
  ) => {
    if (bad.length === 0 || !dlqProducer) return;
    await dlqProducer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: bad.map((message) => ({
        value: message.value,
        headers: {
          "x-dead-letter-reason": message.reason,
          "x-source-topic": topic,
          "x-source-partition": String(partition),
          "x-source-offset": message.offset,
        },
      })),
    });
    for (const message of bad)
      processorDeadLettersTotal.inc({ reason: message.reason.split(":")[0] ?? "invalid" });
  };

  const handleBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const stopTimer = processorBatchSeconds.startTimer();
    const { topic, partition } = batch;
    const partitionKey = `${topic}/${partition}`;
    const events: ConsumedEvent[] = [];
    const bad: { offset: string; value: Buffer | null; reason: string }[] = [];
    for (const message of batch.messages) {
      const decoded = decodeEvent(message.value);
      if (!decoded.ok) {
        bad.push({ offset: message.offset, value: message.value, reason: decoded.reason });
        continue;
      }
      const { late } = watermarks.observe(partitionKey, decoded.event.timestamp);
      events.push({ event: decoded.event, partition, offset: Number(message.offset), late });
    }
    const lastOffset = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
    await sendToDeadLetter(topic, partition, bad);
    await ensurePartitions(events);
    const result = await withRetry(() =>
      persistBatch(
        getSql(),
        events,
        [{ groupId, topic, partition, nextOffset: Number(lastOffset) + 1 }],
        env.WINDOW_SIZES_SECONDS,
      ),
    );
    resolveOffset(lastOffset);
    await commitOffsetsIfNecessary();
    await heartbeat();

    const lateCount = events.filter((event) => event.late).length;
    processorEventsTotal.inc({ outcome: "stored" }, result.inserted);
    processorEventsTotal.inc({ outcome: "duplicate" }, events.length - result.inserted);
    processorLateEventsTotal.inc(lateCount);
    try {
      await recordSecondCounts(redis, result.secondCounts);
    } catch (error) {
      processorRedisFailuresTotal.inc();
      logger.warn({ err: error }, "realtime_counters_failed");
    }
    stopTimer();
    logger.debug(
      {
        topic,
        partition,
        events: events.length,
        inserted: result.inserted,
        late: lateCount,
        dead_letters: bad.length,
        last_offset: lastOffset,
      },
      "batch_persisted",
    );
    if (logger.isLevelEnabled("debug")) {
      // Per-event lines are for tracing one request through the pipeline, not for production volume.
      for (const { event, offset } of events) {
        logger.debug(
          { correlation_id: event.correlation_id, event_id: event.event_id, topic, partition, offset },
          "event_persisted",
        );
      }
    }
  };

  const startConsumer = async () => {
    const next = kafka.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
    });
    consumer = next;
    next.on(next.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart }, "consumer_crashed");
      // kafkajs gives up on errors it deems non-retriable (a broker gone for long): build a new consumer.
      if (!payload.restart && !stopping) scheduleRestart(next);
    });
    await next.connect();
    await next.subscribe({ topics: configuredEventTopics(), fromBeginning: true });
    await next.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatchAutoResolve: false,
      eachBatch: handleBatch,
    });
  };

  const scheduleRestart = (crashed: Consumer) => {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        if (stopping) return;
        try {
          await startConsumer();
          logger.info("consumer_restarted");
        } catch (error) {
          logger.error({ err: error }, "consumer_restart_failed");
          scheduleRestart(consumer ?? crashed);
        }
      })();
    }, 2000);
  };

  return {
    name: "processor",
    consumer: () => consumer,
    async start() {
      stopping = false;
      // Kafka may still be starting (or restarting): wait for it rather than exit.
      for (let attempt = 1; ; attempt++) {
        try {
          await ensureEventTopics(kafka, [...configuredEventTopics(), deadLetterTopic]);
          break;
        } catch (error) {
          if (stopping) throw error;
          logger.warn({ err: error, attempt }, "kafka_not_ready_waiting");
          await new Promise((resolve) => setTimeout(resolve, Math.min(attempt * 1000, 5000)));
        }
      }
      dlqProducer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await dlqProducer.connect();
      await startConsumer();
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      await consumer?.disconnect();
      await dlqProducer?.disconnect();
    },
    async healthcheck() {
      if (!consumer) throw new Error("not started");
    },
  };
}

/** Retries a transaction that lost a deadlock or serialization race (it rolled back whole). */
async function withRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== DEADLOCK && code !== SERIALIZATION_FAILURE)) throw error;
      logger.warn({ attempt, code }, "batch_transaction_retry");
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

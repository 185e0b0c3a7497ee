import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from "kafkajs";
import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { ensureRawEventPartitions } from "@/db/partitions";
import { closedWindowsTopic } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { configuredEventTopics, ensureEventTopics } from "@/lib/kafka/topics";
import { logger } from "@/lib/logger";
import {
  processorBatchSeconds,
  processorEventsTotal,
  processorLateEventsTotal,
  processorRedisFailuresTotal,
} from "@/lib/metrics";
import { MicroBatcher } from "@/lib/kafka/batcher";
import {
  persistBatch,
  type ConsumedEvent,
  type PartitionProgress,
} from "@/lib/services/events/persist-batch";
import type { Component } from "../lifecycle";
import { WatermarkTracker, windowStartOf } from "../processing/watermark";
import { sendToDeadLetter, type BadMessage } from "./dead-letter";
import { decodeRecord } from "./decode";
import type { ProcessorStats } from "./processor-stats";
import { recordSecondCounts } from "./realtime-counters";
import { readStoredProgress } from "./stored-progress";

const DAY_MS = 86_400_000;
const RETRYABLE_PG_CODES = new Set(["40P01", "40001"]); // deadlock, serialization failure

/** One partition's decoded batch, waiting to be written with the others. */
interface PartitionBatch {
  events: ConsumedEvent[];
  progress: PartitionProgress;
}

export interface ProcessorDeps {
  kafka: Kafka;
  redis: Redis;
  stats: ProcessorStats;
}

/**
 * The stream processor: a consumer-group member over every event topic. Per batch it
 * stores raw events, aggregate increments, the next offset and the partition's watermark
 * in one PostgreSQL transaction; PostgreSQL's offsets are the truth (the consumer seeks
 * to them on every assignment), Kafka's are committed afterwards for lag monitoring only.
 */
export function createProcessor({ kafka, redis, stats }: ProcessorDeps): Component {
  const env = getEnv();
  const groupId = env.PROCESSOR_GROUP_ID;
  const deadLetterTopic = `${env.KAFKA_TOPIC_PREFIX}events.dead-letter`;
  const largestWindowMs = Math.max(...env.WINDOW_SIZES_SECONDS) * 1000;
  const watermarks = new WatermarkTracker(env.ALLOWED_LATENESS_MS, largestWindowMs);
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

  /**
   * Writes the batches of every partition that arrived together in ONE transaction: with
   * dozens of partitions a transaction per partition batch spends its time on round trips
   * and commits, and keeps fresh events waiting behind other partitions.
   */
  const flushBatches = async (parts: PartitionBatch[]) => {
    const started = performance.now();
    const stopTimer = processorBatchSeconds.startTimer();
    const events = parts.flatMap((part) => part.events);
    await ensurePartitions(events);
    const progress = parts.map((part) => part.progress);
    const result = await withRetry(() => persistBatch(getSql(), events, progress, env.WINDOW_SIZES_SECONDS));
    processorEventsTotal.inc({ outcome: "stored" }, result.inserted - result.late);
    processorEventsTotal.inc({ outcome: "late" }, result.late);
    processorEventsTotal.inc({ outcome: "duplicate" }, events.length - result.inserted);
    processorLateEventsTotal.inc(result.late);
    try {
      const sessions = events.flatMap(({ event, late }) =>
        event.session_id && !late ? [{ sessionId: event.session_id, time: event.timestamp }] : [],
      );
      await recordSecondCounts(redis, result.secondCounts, sessions);
    } catch (error) {
      processorRedisFailuresTotal.inc();
      logger.warn({ err: error }, "realtime_counters_failed");
    }
    stopTimer();
    stats.recordBatch(events.length, result.inserted, result.late, performance.now() - started);
    if (logger.isLevelEnabled("debug")) {
      logger.debug(
        { partitions: parts.length, events: events.length, inserted: result.inserted, late: result.late },
        "batch_persisted",
      );
      // Per-event lines trace one request through the pipeline; not for production volume.
      for (const { event, partition, offset } of events) {
        logger.debug(
          { correlation_id: event.correlation_id, event_id: event.event_id, partition, offset },
          "event_persisted",
        );
      }
    }
  };
  const writer = new MicroBatcher<PartitionBatch>(flushBatches, {
    lingerMs: 2,
    maxMessages: 64, // partition batches per transaction
    maxInFlight: 2, // a second transaction fills while the first commits
  });

  const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const { topic, partition } = batch;
    const partitionKey = `${topic}/${partition}`;
    const closedBefore = Date.now() - env.ALLOWED_LATENESS_MS;
    const events: ConsumedEvent[] = [];
    const bad: BadMessage[] = [];
    let maxEventTime: number | undefined;
    for (const message of batch.messages) {
      const decoded = decodeRecord(message.value);
      for (const failure of decoded.failures) bad.push({ offset: message.offset, ...failure });
      for (const event of decoded.events) {
        const time = event.timestamp;
        const { late } = watermarks.observe(partitionKey, time);
        const maybeClosed = windowStartOf(time, largestWindowMs) + largestWindowMs <= closedBefore;
        maxEventTime = maxEventTime === undefined ? time : Math.max(maxEventTime, time);
        events.push({ event, partition, offset: Number(message.offset), late, maybeClosed });
      }
    }
    const lastOffset = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
    if (dlqProducer) await sendToDeadLetter(dlqProducer, deadLetterTopic, { topic, partition }, bad);
    await writer.enqueue([
      { events, progress: { groupId, topic, partition, nextOffset: Number(lastOffset) + 1, maxEventTime } },
    ]);
    // Only now, with the batch durable, may Kafka's offset move (auto-commit sends resolved offsets).
    resolveOffset(lastOffset);
    await heartbeat();
  };

  /** On every assignment: resume each partition from PostgreSQL's offset and watermark. */
  const resumeFromStore = async (target: Consumer, assignment: Record<string, number[]>) => {
    stats.assignment = assignment;
    const stored = await readStoredProgress(getSql(), groupId, assignment);
    for (const entry of stored) {
      if (entry.maxEventTime !== undefined)
        watermarks.seed(`${entry.topic}/${entry.partition}`, entry.maxEventTime);
      if (entry.nextOffset !== undefined) {
        target.seek({ topic: entry.topic, partition: entry.partition, offset: String(entry.nextOffset) });
      }
    }
    logger.info(
      { assignment, resumed: stored.filter((entry) => entry.nextOffset !== undefined).length },
      "partitions_assigned",
    );
  };

  const startConsumer = async () => {
    const next = kafka.consumer({
      groupId,
      sessionTimeout: env.PROCESSOR_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.min(3_000, env.PROCESSOR_SESSION_TIMEOUT_MS / 5),
      maxWaitTimeInMs: 20,
      // bounded fetches keep the decoded batches (several times their wire size) under the memory target
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
    });
    consumer = next;
    next.on(next.events.GROUP_JOIN, ({ payload }) => {
      resumeFromStore(next, payload.memberAssignment).catch((error: unknown) => {
        // Not fatal: without the seek the consumer starts at Kafka's committed offset, which
        // is never ahead of PostgreSQL's, and re-read events are recognised and skipped.
        logger.error({ err: error }, "resume_from_store_failed");
      });
    });
    next.on(next.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart }, "consumer_crashed");
      // kafkajs gives up on errors it deems non-retriable (a broker gone for long): build a new consumer.
      if (!payload.restart && !stopping) scheduleRestart(next);
    });
    await next.connect();
    await next.subscribe({ topics: configuredEventTopics(), fromBeginning: true });
    await next.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      // high, so that the batches of one fetch reach the writer together and share a transaction
      partitionsConsumedConcurrently: 32,
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
    async start() {
      stopping = false;
      // Kafka may still be starting (or restarting): wait for it rather than exit.
      for (let attempt = 1; ; attempt++) {
        try {
          await ensureEventTopics(kafka, [
            ...configuredEventTopics(),
            deadLetterTopic,
            closedWindowsTopic(env.KAFKA_TOPIC_PREFIX),
          ]);
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
      if (attempt >= attempts || !code || !RETRYABLE_PG_CODES.has(code)) throw error;
      logger.warn({ attempt, code }, "batch_transaction_retry");
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from "kafkajs";
import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { ensureRawEventPartitions } from "@/db/partitions";
import { closedWindowsTopic } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { SupervisedConsumer, waitForTopics } from "@/lib/kafka/supervised-consumer";
import { configuredEventTopics } from "@/lib/kafka/topics";
import { retryTransaction } from "@/lib/retry-transaction";
import { logger } from "@/lib/logger";
import {
  processorBatchSeconds,
  processorDeadLettersTotal,
  processorEventsTotal,
  processorLateEventsTotal,
  processorRedisFailuresTotal,
} from "@/lib/metrics";
import { MicroBatcher } from "@/lib/kafka/batcher";
import { sendToDeadLetter, type BadMessage } from "@/lib/kafka/dead-letter";
import {
  persistBatch,
  type ConsumedEvent,
  type PartitionProgress,
} from "@/lib/services/events/persist-batch";
import type { Component } from "../lifecycle";
import { WatermarkTracker, windowStartOf } from "../processing/watermark";
import { decodeRecord } from "./decode";
import type { ProcessorStats } from "./processor-stats";
import { recordSecondCounts } from "./realtime-counters";
import { readStoredProgress } from "./stored-progress";

const DAY_MS = 86_400_000;

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
  let dlqProducer: Producer | undefined;
  let stopping = false;

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
    const result = await retryTransaction(() =>
      persistBatch(getSql(), events, progress, env.WINDOW_SIZES_SECONDS),
    );
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
    if (dlqProducer && bad.length > 0) {
      await sendToDeadLetter(dlqProducer, deadLetterTopic, { topic, partition }, bad);
      for (const message of bad) {
        processorDeadLettersTotal.inc({ reason: message.reason.split(":")[0] ?? "invalid" });
      }
    }
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

  const supervised = new SupervisedConsumer(
    "processor",
    () =>
      kafka.consumer({
        groupId,
        sessionTimeout: env.PROCESSOR_SESSION_TIMEOUT_MS,
        heartbeatInterval: Math.min(3_000, env.PROCESSOR_SESSION_TIMEOUT_MS / 5),
        maxWaitTimeInMs: 20,
        // bounded fetches keep the decoded batches (several times their wire size) under the memory target
        maxBytesPerPartition: 1024 * 1024,
        maxBytes: 8 * 1024 * 1024,
      }),
    async (consumer) => {
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        resumeFromStore(consumer, payload.memberAssignment).catch((error: unknown) => {
          // Not fatal: without the seek the consumer starts at Kafka's committed offset, which
          // is never ahead of PostgreSQL's, and re-read events are recognised and skipped.
          logger.error({ err: error }, "resume_from_store_failed");
        });
      });
      await consumer.connect();
      await consumer.subscribe({ topics: configuredEventTopics(), fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1000,
        // high, so that the batches of one fetch reach the writer together and share a transaction
        partitionsConsumedConcurrently: 32,
        eachBatchAutoResolve: false,
        eachBatch: handleBatch,
      });
    },
  );

  return {
    name: "processor",
    async start() {
      stopping = false;
      await waitForTopics(
        kafka,
        [...configuredEventTopics(), deadLetterTopic, closedWindowsTopic(env.KAFKA_TOPIC_PREFIX)],
        () => stopping,
      );
      dlqProducer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await dlqProducer.connect();
      await supervised.start();
    },
    async stop() {
      stopping = true;
      await supervised.stop();
      await dlqProducer?.disconnect();
    },
    async healthcheck() {
      if (!supervised.current) throw new Error("not started");
    },
  };
}

import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from "kafkajs";
import type { Redis } from "ioredis";
import { getSql } from "@/db/client";
import { ensureRawEventPartitions } from "@/db/partitions";
import { closedWindowsTopic } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { SupervisedConsumer, waitForTopics } from "@/lib/kafka/supervised-consumer";
import { configuredEventTopics } from "@/lib/kafka/topics";
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
import { murmur2Partition } from "@/lib/kafka/murmur2";
import {
  persistBatch,
  stageEvent,
  type PartitionProgress,
  type StagedEvent,
} from "@/lib/services/events/persist-batch";
import type { Component } from "../lifecycle";
import { WatermarkTracker, windowStartOf } from "../processing/watermark";
import { decodeRecord } from "./decode";
import type { ProcessorStats } from "./processor-stats";
import { recordSecondCounts } from "./realtime-counters";
import { readStoredProgress } from "./stored-progress";

const DAY_MS = 86_400_000;
const KAFKA_COMMIT_INTERVAL_MS = 1000;
/**
 * TRICKY: decoding a fetch takes hundreds of ms of one event loop; in one piece it would
 * hold up every step of the writer's transaction (each waits its turn on the loop).
 */
const DECODE_SLICE_MS = 4;

/**
 * What the processor keeps of a decoded event until its batch is written: the COPY line
 * and the few fields the steps after the write need. The decoded object itself (with its
 * properties) is garbage as soon as its line is made; two batches per partition wait in
 * memory, so this keeps the processor under its memory target.
 */
interface PendingEvent extends StagedEvent {
  time: number;
  sessionId: string | undefined;
  late: boolean;
  correlationId: string;
  partition: number;
  offset: number;
}

/** One partition's decoded batch, waiting to be written with the others. */
interface PartitionBatch {
  events: PendingEvent[];
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
  let commitTimer: NodeJS.Timeout | undefined;

  const ensurePartitions = async (events: PendingEvent[]) => {
    const days = new Set(events.map(({ time }) => Math.floor(time / DAY_MS)));
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
    // retries a lost deadlock or a batch that met stored events itself
    const result = await persistBatch(getSql(), events, progress, env.WINDOW_SIZES_SECONDS);
    processorEventsTotal.inc({ outcome: "stored" }, result.inserted - result.late);
    processorEventsTotal.inc({ outcome: "late" }, result.late);
    processorEventsTotal.inc({ outcome: "duplicate" }, events.length - result.inserted);
    processorLateEventsTotal.inc(result.late);
    try {
      const sessions = events.flatMap(({ sessionId, time, late }) =>
        sessionId && !late ? [{ sessionId, time }] : [],
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
      for (const { correlationId, eventId, partition, offset } of events) {
        logger.debug(
          { correlation_id: correlationId, event_id: eventId, partition, offset },
          "event_persisted",
        );
      }
    }
  };
  // Pipelining: while one transaction writes, the next fetch is decoded and queued, so
  // Node and PostgreSQL work at the same time. A lane's transactions run one after another
  // and a partition always uses the same lane: a partition's later batch must never commit
  // its offset after an earlier one failed.
  // After a failure nothing more is written (`writeFailure`) until the consumer has been
  // replaced and every partition re-seeked to PostgreSQL's offsets.
  let writeFailure: unknown;
  /** Per partition, the write of its latest batch; the next batch waits for it. */
  const pendingWrites = new Map<string, Promise<void>>();
  /** Offsets made durable in PostgreSQL, not yet committed to Kafka (lag tooling only). */
  const durableOffsets = new Map<string, { topic: string; partition: number; offset: string }>();
  const writeInOrder = async (parts: PartitionBatch[]) => {
    if (writeFailure !== undefined) throw writeFailure;
    try {
      await flushBatches(parts);
    } catch (error) {
      if (writeFailure === undefined) {
        writeFailure = error;
        logger.error({ err: error }, "batch_write_failed_restarting_consumer");
        supervised.restart();
      }
      throw error;
    }
    for (const { progress } of parts) {
      durableOffsets.set(`${progress.topic}/${progress.partition}`, {
        topic: progress.topic,
        partition: progress.partition,
        offset: String(progress.nextOffset),
      });
    }
  };
  // PROCESSOR_WRITE_LANES writers, each writing its transactions one after another; a
  // partition always goes to the same lane, so its batches stay in order while another
  // lane's transaction inserts at the same time (PostgreSQL gets a second core's work).
  const writers = Array.from(
    { length: env.PROCESSOR_WRITE_LANES },
    () =>
      new MicroBatcher<PartitionBatch>(writeInOrder, {
        lingerMs: 2,
        maxMessages: 64, // partition batches per transaction
        maxInFlight: 1,
      }),
  );
  const laneOf = (partitionKey: string): MicroBatcher<PartitionBatch> => {
    const lane = writers[murmur2Partition(partitionKey, writers.length)];
    if (!lane) throw new Error(`no write lane for ${partitionKey}`);
    return lane;
  };
  const drainWriters = () => Promise.all(writers.map((writer) => writer.drain().catch(() => undefined)));

  const commitDurableOffsets = async (consumer: Consumer) => {
    if (durableOffsets.size === 0) return;
    const offsets = [...durableOffsets.values()];
    durableOffsets.clear();
    // for lag tooling only: a partition that moved to another member may refuse it
    await consumer.commitOffsets(offsets).catch((error: unknown) => {
      logger.debug({ err: error }, "kafka_offset_commit_skipped");
    });
  };

  const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    if (writeFailure !== undefined) {
      // this consumer is being replaced; do not move its position, do not spin on refetches
      await new Promise((resolve) => setTimeout(resolve, 100));
      return;
    }
    const { topic, partition } = batch;
    const partitionKey = `${topic}/${partition}`;
    const closedBefore = Date.now() - env.ALLOWED_LATENESS_MS;
    const events: PendingEvent[] = [];
    const bad: BadMessage[] = [];
    let maxEventTime: number | undefined;
    let sliceStarted = performance.now();
    for (const message of batch.messages) {
      if (performance.now() - sliceStarted > DECODE_SLICE_MS) {
        // let the writer's transaction go on between slices of decoding
        await new Promise((resolve) => setImmediate(resolve));
        sliceStarted = performance.now();
      }
      const decoded = decodeRecord(message.value, message.headers);
      for (const failure of decoded.failures) bad.push({ offset: message.offset, ...failure });
      for (const event of decoded.events) {
        const time = event.timestamp;
        const { late } = watermarks.observe(partitionKey, time);
        const maybeClosed = windowStartOf(time, largestWindowMs) + largestWindowMs <= closedBefore;
        maxEventTime = maxEventTime === undefined ? time : Math.max(maxEventTime, time);
        const offset = Number(message.offset);
        // the COPY line is made now, while the writer is busy with the previous batch
        const { eventId, stagingRow } = stageEvent({ event, partition, offset, late, maybeClosed });
        events.push({
          eventId,
          stagingRow,
          time,
          sessionId: event.session_id,
          late,
          correlationId: event.correlation_id,
          partition,
          offset,
        });
      }
    }
    const lastOffset = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
    if (dlqProducer && bad.length > 0) {
      await sendToDeadLetter(dlqProducer, deadLetterTopic, { topic, partition }, bad);
      for (const message of bad) {
        processorDeadLettersTotal.inc({ reason: message.reason.split(":")[0] ?? "invalid" });
      }
    }
    const written = laneOf(partitionKey).enqueue([
      { events, progress: { groupId, topic, partition, nextOffset: Number(lastOffset) + 1, maxEventTime } },
    ]);
    written.catch(() => undefined); // reported by writeInOrder; the next batch sees it
    const previous = pendingWrites.get(partitionKey);
    pendingWrites.set(partitionKey, written);
    // The fetch position moves past this batch once the previous one is durable: at most
    // one batch per partition waits for PostgreSQL, and a failed one is never skipped.
    try {
      await previous;
    } catch {
      return;
    }
    resolveOffset(lastOffset);
    await heartbeat();
  };

  /** On every assignment: resume each partition from PostgreSQL's offset and watermark. */
  const resumeFromStore = async (target: Consumer, assignment: Record<string, number[]>) => {
    stats.assignment = assignment;
    if (writeFailure !== undefined) {
      // the replaced consumer's queued batches settle (rejected) before writing resumes
      await drainWriters();
      pendingWrites.clear();
      durableOffsets.clear();
      writeFailure = undefined;
    }
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
        // At a low rate a fetch waits up to 100 ms for 64 KiB: a few transactions per second
        // instead of one per trickle (each costs round trips and a commit). The live stream
        // does not wait for it: the web process publishes counts once Kafka acknowledged.
        maxWaitTimeInMs: 100,
        minBytes: 64 * 1024,
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
        // Kafka's committed offsets trail PostgreSQL's (committed from durableOffsets)
        autoCommit: false,
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
      commitTimer = setInterval(() => {
        const consumer = supervised.current;
        if (consumer) void commitDurableOffsets(consumer);
      }, KAFKA_COMMIT_INTERVAL_MS);
    },
    async stop() {
      stopping = true;
      clearInterval(commitTimer);
      // the last batches finish writing before the connection closes
      await supervised.stop(async (consumer) => {
        await drainWriters();
        await commitDurableOffsets(consumer);
      });
      await drainWriters();
      await dlqProducer?.disconnect();
    },
    async healthcheck() {
      if (!supervised.current) throw new Error("not started");
    },
  };
}

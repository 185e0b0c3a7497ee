import { createStatisticsKeeper } from "@/lib/services/maintenance/planner-statistics";
import type { Redis } from "ioredis";
import { getSql, waitForDatabase } from "@/db/client";
import { readStoredProgress } from "@/db/queries/consumer-progress";
import { ensureRawEventPartitions } from "@/db/partitions";
import { closedWindowsTopic } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { SupervisedConsumer, waitForTopics, type GroupMember } from "@/lib/kafka/supervised-consumer";
import type { BatchContext, KafkaConnection, RecordProducer } from "@/lib/kafka/types";
import { configuredEventTopics } from "@/lib/kafka/topics";
import { logger } from "@/lib/logger";
import { processorDeadLettersTotal } from "@/lib/metrics";
import { createIdempotentProducer } from "@/lib/kafka/client";
import { sendToDeadLetter, type BadMessage } from "@/lib/kafka/dead-letter";
import { aggregationConfigFromEnv } from "@/lib/services/events/aggregation-config";
import { persistBatch } from "@/lib/services/events/persist-batch";
import type { Component } from "../lifecycle";
import { decodeBatch, type EventTimeRules } from "./decode-batch";
import { createPartitionDays } from "./partition-days";
import type { ProcessorStats } from "./processor-stats";
import { recordSecondCounts } from "./realtime-counters";
import { resumeFromStore } from "./resume";
import { createBatchWriter, type PartitionBatch } from "./write-batches";
import { WriteLanes } from "./write-lanes";

const KAFKA_COMMIT_INTERVAL_MS = 1000;

export interface ProcessorDeps {
  kafka: KafkaConnection;
  redis: Redis;
  stats: ProcessorStats;
}

/**
 * The stream processor: a consumer-group member over every event topic. Per batch it
 * stores raw events, aggregate increments, the next offset and the partition's watermark
 * in one PostgreSQL transaction; PostgreSQL's offsets are the truth (the consumer seeks
 * to them on every assignment), Kafka's are committed afterwards for lag monitoring only.
 * This file wires the steps to a group consumer (lib/kafka): decode-batch.ts (decode, lateness,
 * stage) → write-lanes.ts + write-batches.ts (write, in order per partition) → offsets
 * (durable ones to Kafka here; resume.ts seeks to PostgreSQL's on assignment).
 */
export function createProcessor({ kafka, redis, stats }: ProcessorDeps): Component {
  const env = getEnv();
  const groupId = env.PROCESSOR_GROUP_ID;
  const deadLetterTopic = `${env.KAFKA_TOPIC_PREFIX}events.dead-letter`;
  const rules: EventTimeRules = {
    windowSizesMs: env.WINDOW_SIZES_SECONDS.map((seconds) => seconds * 1000),
    allowedLatenessMs: env.ALLOWED_LATENESS_MS,
    maxSkewMs: env.WATERMARK_MAX_SKEW_MS,
  };
  const aggregation = aggregationConfigFromEnv();
  let dlqProducer: RecordProducer | undefined;
  let stopping = false;
  let commitTimer: NodeJS.Timeout | undefined;

  const sendDeadLetters = async (topic: string, partition: number, bad: BadMessage[]) => {
    if (bad.length === 0) return;
    if (!dlqProducer) throw new Error("dead-letter producer not connected");
    await sendToDeadLetter(dlqProducer, deadLetterTopic, { topic, partition }, bad);
    for (const message of bad) {
      processorDeadLettersTotal.inc({ reason: message.reason.split(":")[0] ?? "invalid" });
    }
  };

  const writeBatches = createBatchWriter({
    ensureDays: createPartitionDays((fromMs, toMs) => ensureRawEventPartitions(getSql(), fromMs, toMs)),
    persist: (events, progress) => persistBatch(getSql(), events, progress, aggregation),
    recordCounts: (counts, sessions) => recordSecondCounts(redis, counts, sessions),
    onInserted: createStatisticsKeeper(getSql()),
    // an event PostgreSQL refuses (write-batches.ts): its stored columns, as the COPY line
    // the processor made of it; the record itself stays in its topic at the source offset
    deadLetter: ({ progress }, event, reason) =>
      sendDeadLetters(progress.topic, progress.partition, [
        { offset: String(event.offset), value: event.stagingRow, reason },
      ]),
    stats,
  });
  // Pipelining: while one transaction writes, the next fetch is decoded and queued, so
  // Node and PostgreSQL work at the same time (PROCESSOR_WRITE_LANES ordered writers).
  const lanes = new WriteLanes<PartitionBatch>({
    lanes: env.PROCESSOR_WRITE_LANES,
    write: writeBatches,
    onFailure: (error) => {
      logger.error({ err: error }, "batch_write_failed_restarting_consumer");
      // PostgreSQL down: the new consumer starts once it answers again (each batch would fail)
      supervised.restart(() => waitForDatabase(() => stopping));
    },
  });

  const commitDurableOffsets = async (consumer: GroupMember) => {
    const offsets = lanes.takeDurableOffsets();
    if (offsets.length === 0) return;
    // for lag tooling only: a partition that moved to another member may refuse it
    await consumer.commitOffsets(offsets).catch((error: unknown) => {
      logger.debug({ err: error }, "kafka_offset_commit_skipped");
    });
  };

  const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: BatchContext) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    if (lanes.latched) {
      // this consumer is being replaced; do not move its position, do not spin on refetches
      await new Promise((resolve) => setTimeout(resolve, 100));
      return;
    }
    const { topic, partition } = batch;
    const { events, bad, maxEventTime } = await decodeBatch(batch.messages, partition, Date.now(), rules);
    const lastOffset = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
    await sendDeadLetters(topic, partition, bad);
    const { previousDurable } = lanes.enqueue({
      events,
      progress: { groupId, topic, partition, nextOffset: Number(lastOffset) + 1, maxEventTime },
    });
    // The fetch position moves past this batch once the previous one is durable: at most
    // one batch per partition waits for PostgreSQL, and a failed one is never skipped.
    if (!(await previousDurable)) return;
    resolveOffset(lastOffset);
    await heartbeat();
  };

  const supervised = new SupervisedConsumer("processor", kafka, {
    groupId,
    topics: configuredEventTopics(),
    sessionTimeoutMs: env.PROCESSOR_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: Math.min(3_000, env.PROCESSOR_SESSION_TIMEOUT_MS / 5),
    // At a low rate a fetch waits up to 100 ms for 64 KiB: a few transactions per second
    // instead of one per trickle (each costs round trips and a commit). The live stream
    // does not wait for it: the web process publishes counts once Kafka acknowledged.
    maxWaitTimeInMs: 100,
    minBytes: 64 * 1024,
    // bounded fetches keep the decoded batches (several times their wire size) under the memory target
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
    // high, so that the batches of one fetch reach the writer together and share a transaction
    partitionsConsumedConcurrently: 32,
    onAssigned: (assignment, seek) => {
      stats.assignment = assignment;
      const resume = resumeFromStore(
        {
          recoverWrites: () => lanes.recover(),
          readProgress: (assigned) => readStoredProgress(getSql(), groupId, assigned),
          seek,
        },
        assignment,
      );
      resume.catch((error: unknown) => {
        // Not fatal: without the seek the consumer starts at Kafka's committed offset, which
        // is never ahead of PostgreSQL's, and re-read events are recognised and skipped.
        logger.error({ err: error }, "resume_from_store_failed");
      });
    },
    // Kafka's committed offsets trail PostgreSQL's (committed from the durable offsets)
    handleBatch,
  });

  return {
    name: "processor",
    async start() {
      stopping = false;
      await waitForTopics(
        kafka,
        [...configuredEventTopics(), deadLetterTopic, closedWindowsTopic(env.KAFKA_TOPIC_PREFIX)],
        () => stopping,
      );
      dlqProducer = createIdempotentProducer(kafka, "processor-dead-letters");
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
        await lanes.drain();
        await commitDurableOffsets(consumer);
      });
      await lanes.drain();
      await dlqProducer?.disconnect();
    },
    async healthcheck() {
      if (!supervised.current) throw new Error("not started");
    },
  };
}

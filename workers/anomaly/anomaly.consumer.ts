import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { toAnomalyDto, toIncidentDto } from "@/lib/alerts/dto";
import { closedWindowsTopic, type ClosedWindow } from "@/lib/events/closed-window";
import { getEnv } from "@/lib/env";
import { createIdempotentProducer } from "@/lib/kafka/client";
import { sendToDeadLetter, type BadMessage } from "@/lib/kafka/dead-letter";
import { SupervisedConsumer, waitForTopics } from "@/lib/kafka/supervised-consumer";
import type { BatchContext, KafkaConnection, RecordProducer } from "@/lib/kafka/types";
import { logger } from "@/lib/logger";
import { retryTransaction } from "@/lib/retry-transaction";
import {
  alertEnqueueFailuresTotal,
  alertIncidentsTotal,
  anomaliesDetectedTotal,
  anomalyBatchSeconds,
  anomalyWindowsTotal,
} from "@/lib/metrics";
import { enqueueJob } from "@/lib/queues/catalog";
import { createQueueProducerConnection } from "@/lib/queues/connection";
import { openNotificationsQueue } from "@/lib/queues/notifications-queue";
import type { AppliedTransitions } from "@/lib/services/alerts/apply-transitions";
import { evaluateNoDataRules } from "@/lib/services/alerts/evaluate-no-data";
import { publishLive } from "@/lib/services/alerts/publish-live";
import { recordClosedWindows, type RecordedWindows } from "@/lib/services/anomalies/record-windows";
import type { Component } from "../lifecycle";
import { decodeClosedWindow } from "./decode-window";

/** Windows per transaction: keeps transactions short and heartbeats regular in a large backlog. */
const CHUNK = 500;

/** A batch waits no longer for Redis to take a notification job (the outbox sweep retries). */
const ENQUEUE_TIMEOUT_MS = 1_000;

export interface AnomalyWorkerDeps {
  kafka: KafkaConnection;
  redis: Redis;
}

/**
 * The `anomaly` role: a consumer group over the closed-windows topic. Per batch it runs every
 * series' detector and the alert rules in one PostgreSQL transaction, then commits the offsets,
 * then publishes what happened on the live channel and queues the notifications.
 */
export function createAnomalyWorker({ kafka, redis }: AnomalyWorkerDeps): Component {
  const env = getEnv();
  const topic = closedWindowsTopic(env.KAFKA_TOPIC_PREFIX);
  const deadLetterTopic = `${topic}.dead-letter`;
  let producer: RecordProducer | undefined;
  let queueConnection: Redis | undefined;
  let queue: Queue | undefined;
  let noDataTimer: NodeJS.Timeout | undefined;
  let checkingNoData = false;
  let stopping = false;

  const afterCommit = async (applied: AppliedTransitions & Partial<Pick<RecordedWindows, "anomalies">>) => {
    for (const anomaly of applied.anomalies ?? []) {
      anomaliesDetectedTotal.inc({ metric: anomaly.metric, severity: anomaly.severity });
    }
    for (const { event } of applied.incidents) alertIncidentsTotal.inc({ event });
    await publishLive(redis, {
      anomalies: (applied.anomalies ?? []).map((row) => ({
        projectId: row.projectId,
        anomaly: toAnomalyDto(row),
      })),
      incidents: applied.incidents.map(({ event, row, ruleName, projectId }) => ({
        projectId,
        event,
        incident: toIncidentDto(row, ruleName),
      })),
    });
    for (const id of applied.deliveryIds) {
      try {
        if (!queue) throw new Error("queue not open");
        await enqueueJob(queue, "deliver-webhook", { delivery_id: id }, { timeoutMs: ENQUEUE_TIMEOUT_MS });
      } catch (error) {
        // Committed as pending: the alerts worker's outbox sweep queues it later.
        alertEnqueueFailuresTotal.inc();
        logger.warn({ err: error, delivery_id: id }, "delivery_enqueue_failed");
      }
    }
    for (const { event, row, ruleName } of applied.incidents) {
      logger.info(
        { rule_id: row.ruleId, rule: ruleName, incident_id: row.id, event },
        "alert_incident_changed",
      );
    }
  };

  const handleBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    commitResolved,
    isRunning,
    isStale,
  }: BatchContext) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const stopTimer = anomalyBatchSeconds.startTimer();
    const windows: ClosedWindow[] = [];
    const bad: BadMessage[] = [];
    for (const message of batch.messages) {
      const decoded = decodeClosedWindow(message.value);
      if (decoded.ok) windows.push(decoded.window);
      else bad.push({ offset: message.offset, value: message.value, reason: decoded.reason });
    }
    await deadLetter(batch.topic, batch.partition, bad);
    const results: RecordedWindows[] = [];
    for (let i = 0; i < windows.length; i += CHUNK) {
      const chunk = windows.slice(i, i + CHUNK);
      results.push(
        await retryTransaction(() =>
          recordClosedWindows(chunk, {
            defaultSensitivity: env.ANOMALY_DEFAULT_SENSITIVITY,
            now: new Date(),
          }),
        ),
      );
      await heartbeat();
    }
    const lastOffset = batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
    resolveOffset(lastOffset);
    // The windows are durable now: commit them, so a restarted worker does not re-read the
    // topic (harmless, every window a no-op, but slow) and the group's lag reaches 0.
    await commitResolved();
    for (const result of results) {
      anomalyWindowsTotal.inc({ outcome: "processed" }, result.processed);
      anomalyWindowsTotal.inc({ outcome: "duplicate" }, result.duplicates);
      await afterCommit(result);
    }
    stopTimer();
    logger.debug(
      { topic: batch.topic, partition: batch.partition, windows: windows.length, invalid: bad.length },
      "closed_windows_processed",
    );
  };

  const deadLetter = async (source: string, partition: number, bad: BadMessage[]) => {
    if (bad.length === 0 || !producer) return;
    await sendToDeadLetter(producer, deadLetterTopic, { topic: source, partition }, bad);
    anomalyWindowsTotal.inc({ outcome: "invalid" }, bad.length);
    logger.warn({ count: bad.length, reason: bad[0]?.reason }, "closed_windows_dead_lettered");
  };

  const checkNoData = async () => {
    if (checkingNoData || stopping) return;
    checkingNoData = true;
    try {
      const applied = await evaluateNoDataRules(new Date(), env.ALLOWED_LATENESS_MS + 60_000);
      await afterCommit(applied);
    } catch (error) {
      logger.warn({ err: error }, "no_data_check_failed");
    } finally {
      checkingNoData = false;
    }
  };

  const supervised = new SupervisedConsumer("anomaly", kafka, {
    groupId: env.ANOMALY_GROUP_ID,
    topics: [topic],
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    maxWaitTimeInMs: 100,
    partitionsConsumedConcurrently: 2,
    handleBatch,
  });

  return {
    name: "anomaly-worker",
    async start() {
      stopping = false;
      await waitForTopics(kafka, [topic, deadLetterTopic], () => stopping);
      queueConnection = createQueueProducerConnection("anomaly");
      queue = openNotificationsQueue(queueConnection);
      producer = createIdempotentProducer(kafka, "anomaly-dead-letters");
      await producer.connect();
      await supervised.start();
      noDataTimer = setInterval(() => void checkNoData(), env.ALERT_NO_DATA_CHECK_MS);
      noDataTimer.unref();
    },
    async stop() {
      stopping = true;
      clearInterval(noDataTimer);
      await supervised.stop();
      await producer?.disconnect();
      await queue?.close();
      queueConnection?.disconnect();
    },
    async healthcheck() {
      if (!supervised.current) throw new Error("not started");
    },
  };
}

import { Worker, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import { listStaleDeliveryIds } from "@/db/queries/alerts";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { alertEnqueueFailuresTotal } from "@/lib/metrics";
import { enqueueJob, NOTIFICATIONS_QUEUE } from "@/lib/queues/catalog";
import { createQueueConnection, queuePrefix, readEvictionPolicy } from "@/lib/queues/connection";
import { reencryptLegacyWebhookSecrets } from "@/lib/services/alerts/reencrypt-webhook-secrets";
import { openNotificationsQueue } from "@/lib/queues/notifications-queue";
import type { Component } from "../lifecycle";
import { deliverWebhook } from "./webhook.job";

/**
 * The `alerts` role: a BullMQ worker that delivers webhook notifications, and the outbox sweep
 * that queues deliveries whose enqueue was lost (the row is committed before the job is added).
 */
export function createAlertsWorker(): Component {
  const env = getEnv();
  let connection: Redis | undefined;
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping = false;

  const sweep = async () => {
    if (sweeping || !queue) return;
    sweeping = true;
    try {
      const ids = await listStaleDeliveryIds(new Date(Date.now() - env.ALERT_OUTBOX_SWEEP_MS));
      for (const id of ids) await enqueueJob(queue, "deliver-webhook", { delivery_id: id });
      if (ids.length > 0) logger.info({ deliveries: ids.length }, "outbox_swept");
    } catch (error) {
      alertEnqueueFailuresTotal.inc();
      logger.warn({ err: error }, "outbox_sweep_failed");
    } finally {
      sweeping = false;
    }
  };

  // Rules saved before secrets were encrypted at rest: encrypted once, by whichever worker starts.
  const encryptLegacySecrets = async () => {
    try {
      const encrypted = await reencryptLegacyWebhookSecrets();
      if (encrypted > 0) logger.info({ rules: encrypted }, "webhook_secrets_encrypted");
    } catch (error) {
      // Not fatal: a legacy secret still reads, and its next write encrypts it.
      logger.warn({ err: error }, "webhook_secret_encryption_failed");
    }
  };

  return {
    name: "alerts-worker",
    async start() {
      connection = createQueueConnection("alerts");
      const policy = await readEvictionPolicy(connection);
      if (policy === undefined) logger.warn("redis_eviction_policy_unknown");
      else if (policy !== "noeviction") {
        logger.warn({ maxmemory_policy: policy }, "redis_eviction_policy_not_noeviction");
      }
      await encryptLegacySecrets();
      queue = openNotificationsQueue(connection);
      worker = new Worker(NOTIFICATIONS_QUEUE, deliverWebhook, {
        connection,
        prefix: queuePrefix(),
        concurrency: env.ALERT_WORKER_CONCURRENCY,
      });
      worker.on("error", (error: Error) => logger.error({ err: error }, "alerts_worker_error"));
      worker.on("failed", (job, error: Error) => {
        logger.debug(
          { job_id: job?.id, attempts: job?.attemptsMade, err: error.message },
          "alerts_job_failed",
        );
      });
      await worker.waitUntilReady();
      sweepTimer = setInterval(() => void sweep(), env.ALERT_OUTBOX_SWEEP_MS);
      sweepTimer.unref();
      void sweep();
    },
    async stop() {
      clearInterval(sweepTimer);
      await worker?.close();
      await queue?.close();
      connection?.disconnect();
    },
    async healthcheck() {
      if (!worker?.isRunning()) throw new Error("alerts worker not running");
    },
  };
}

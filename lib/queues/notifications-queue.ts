import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { logger } from "../logger";
import { NOTIFICATIONS_QUEUE } from "./catalog";
import { createQueueProducerConnection, queuePrefix } from "./connection";

/** A producer handle on the notifications queue, with its error listener attached. */
export function openNotificationsQueue(connection: Redis): Queue {
  const queue = new Queue(NOTIFICATIONS_QUEUE, { connection, prefix: queuePrefix() });
  queue.on("error", (error: Error) => logger.warn({ err: error, queue: NOTIFICATIONS_QUEUE }, "queue_error"));
  return queue;
}

const globalKey = Symbol.for("analytics.queue.notifications");
type GlobalWithQueue = typeof globalThis & { [globalKey]?: Queue };

/** The web process's one notifications queue (test notifications are enqueued from the API). */
export function getWebNotificationsQueue(): Queue {
  const holder = globalThis as GlobalWithQueue;
  holder[globalKey] ??= openNotificationsQueue(createQueueProducerConnection("web"));
  return holder[globalKey];
}

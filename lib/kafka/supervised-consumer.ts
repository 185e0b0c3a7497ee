import type { Consumer, Kafka } from "kafkajs";
import { logger } from "../logger";
import { ensureEventTopics } from "./topics";

/**
 * Creates the topics, waiting for Kafka while it is still starting or restarting, until it
 * answers or `stopped()` says the component is shutting down.
 */
export async function waitForTopics(kafka: Kafka, topics: string[], stopped: () => boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureEventTopics(kafka, topics);
      return;
    } catch (error) {
      if (stopped()) throw error;
      logger.warn({ err: error, attempt }, "kafka_not_ready_waiting");
      await new Promise((resolve) => setTimeout(resolve, Math.min(attempt * 1000, 5000)));
    }
  }
}

/**
 * Keeps a consumer running: kafkajs restarts itself after retriable errors but gives up on
 * others (a broker gone for long); then this builds a new consumer after a pause.
 * `setup` attaches listeners, connects, subscribes and runs the consumer it is given.
 */
export class SupervisedConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    private readonly create: () => Consumer,
    private readonly setup: (consumer: Consumer) => Promise<void>,
    private readonly restartDelayMs = 2000,
  ) {}

  get current(): Consumer | undefined {
    return this.consumer;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const next = this.create();
    this.consumer = next;
    next.on(next.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart, consumer: this.name }, "consumer_crashed");
      if (!payload.restart && !this.stopping) this.scheduleRestart(next);
    });
    await this.setup(next);
  }

  /**
   * Stops fetching; `beforeDisconnect` runs once no batch handler is running any more and
   * the connection is still open (to finish writes and commit offsets).
   */
  async stop(beforeDisconnect?: (consumer: Consumer) => Promise<void>): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const consumer = this.consumer;
    if (!consumer) return;
    if (beforeDisconnect) {
      await consumer.stop();
      await beforeDisconnect(consumer);
    }
    await consumer.disconnect();
  }

  /** Replaces the consumer by a new one after the pause: its positions are no longer trusted. */
  restart(): void {
    if (this.consumer && !this.stopping) this.scheduleRestart(this.consumer);
  }

  private scheduleRestart(crashed: Consumer): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        if (this.stopping) return;
        try {
          await this.start();
          logger.info({ consumer: this.name }, "consumer_restarted");
        } catch (error) {
          logger.error({ err: error, consumer: this.name }, "consumer_restart_failed");
          this.scheduleRestart(this.consumer ?? crashed);
        }
      })();
    }, this.restartDelayMs);
  }
}

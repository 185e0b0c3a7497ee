import type { Consumer } from "kafkajs";
import { logger } from "../logger";
import { withTimeout } from "../timeout";
import { ensureEventTopics } from "./topics";
import type { Assignment, BatchContext, KafkaConnection, TopicPartitionOffset } from "./types";

/**
 * Creates the topics, waiting for Kafka while it is still starting or restarting, until it
 * answers or `stopped()` says the component is shutting down.
 */
export async function waitForTopics(
  kafka: KafkaConnection,
  topics: string[],
  stopped: () => boolean,
): Promise<void> {
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

/** How long a replaced consumer may take to disconnect, and its successor to start. */
const DISCONNECT_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 60_000;

/** A consumer-group member over `topics`, committing only what its handler commits. */
export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** How long a fetch waits for `minBytes` (default 1 byte) to arrive. */
  maxWaitTimeInMs: number;
  minBytes?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  partitionsConsumedConcurrently: number;
  /** Called on every assignment, before the first fetch: may move positions with `seek`. */
  onAssigned?: (assignment: Assignment, seek: (position: TopicPartitionOffset) => void) => void;
  handleBatch: (context: BatchContext) => Promise<void>;
  /**
   * A running consumer that shows no sign of life (no fetch, heartbeat or join) this long is
   * replaced. Default: twice the session timeout, at least 30 s.
   */
  stallTimeoutMs?: number;
}

/** What a running member offers its owner besides batches. */
export interface GroupMember {
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
}

/**
 * Keeps a group consumer running: kafkajs restarts itself after retriable errors but gives up
 * on others (a broker gone for long); then this builds a new consumer after a pause.
 * Offsets are never committed automatically, and a batch's position moves only when its
 * handler resolves an offset.
 *
 * TRICKY: kafkajs's own restart can also go quiet for good: after a broker restart whose
 * group coordinator was still loading, a consumer was seen never to fetch again, with no
 * error (the broker fault test caught it in about half its runs). A watchdog replaces a
 * consumer that has neither fetched, heartbeated nor joined for `stallTimeoutMs`.
 */
export class SupervisedConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting = false;
  private lastSignOfLife = Date.now();
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    private readonly kafka: KafkaConnection,
    private readonly options: GroupConsumerOptions,
    private readonly restartDelayMs = 2000,
  ) {}

  get current(): GroupMember | undefined {
    return this.consumer;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const { options } = this;
    const next = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: options.maxWaitTimeInMs,
      ...(options.minBytes === undefined ? {} : { minBytes: options.minBytes }),
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
    this.consumer = next;
    this.lastSignOfLife = Date.now();
    const alive = () => {
      this.lastSignOfLife = Date.now();
    };
    next.on(next.events.FETCH_START, alive);
    next.on(next.events.HEARTBEAT, alive);
    next.on(next.events.GROUP_JOIN, alive);
    next.on(next.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart, consumer: this.name }, "consumer_crashed");
      if (!payload.restart && !this.stopping) this.scheduleRestart(next);
    });
    const { onAssigned } = options;
    if (onAssigned) {
      next.on(next.events.GROUP_JOIN, ({ payload }) => {
        onAssigned(payload.memberAssignment, (position) => next.seek(position));
      });
    }
    await next.connect();
    await next.subscribe({ topics: options.topics, fromBeginning: true });
    await next.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      eachBatch: (payload) =>
        options.handleBatch({
          batch: payload.batch,
          resolveOffset: payload.resolveOffset,
          heartbeat: payload.heartbeat,
          isRunning: payload.isRunning,
          isStale: payload.isStale,
          // TRICKY: with autoCommit off, commitOffsetsIfNecessary() without offsets commits
          // nothing: pass the resolved ones.
          commitResolved: () => payload.commitOffsetsIfNecessary(payload.uncommittedOffsets()),
        }),
    });
    this.startWatchdog();
  }

  private startWatchdog(): void {
    clearInterval(this.watchdog);
    const stallMs = this.options.stallTimeoutMs ?? Math.max(30_000, 2 * this.options.sessionTimeoutMs);
    this.watchdog = setInterval(
      () => {
        if (this.stopping || this.restarting || !this.consumer) return;
        const quietMs = Date.now() - this.lastSignOfLife;
        if (quietMs < stallMs) return;
        logger.error({ consumer: this.name, quiet_ms: quietMs }, "consumer_stalled_restarting");
        this.scheduleRestart(this.consumer);
      },
      Math.min(5_000, stallMs / 2),
    );
    this.watchdog.unref();
  }

  /**
   * Stops fetching; `beforeDisconnect` runs once no batch handler is running any more and
   * the connection is still open (to finish writes and commit offsets).
   */
  async stop(beforeDisconnect?: (member: GroupMember) => Promise<void>): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    const consumer = this.consumer;
    if (!consumer) return;
    if (beforeDisconnect) {
      await consumer.stop();
      await beforeDisconnect(consumer);
    }
    await consumer.disconnect();
  }

  /**
   * Replaces the consumer by a new one after the pause: its positions are no longer trusted.
   * `whenReady` (a store coming back) is awaited between the old consumer's disconnect and
   * the new one's start, so a worker whose database is down waits instead of looping.
   */
  restart(whenReady?: () => Promise<void>): void {
    if (this.consumer && !this.stopping) this.scheduleRestart(this.consumer, whenReady);
  }

  private scheduleRestart(crashed: Consumer, whenReady?: () => Promise<void>): void {
    if (this.restarting) return;
    this.restarting = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    this.restartTimer = setTimeout(() => {
      void (async () => {
        // TRICKY: a stalled consumer's disconnect, and a new consumer's start, were seen to
        // hang for minutes after a broker restart (CI: the watchdog fired, no restart followed).
        // Both are bounded; a start that times out is a failed start, retried after the pause.
        await withTimeout(crashed.disconnect(), DISCONNECT_TIMEOUT_MS).catch(() => undefined);
        if (this.stopping) return;
        try {
          // bounded too: a store that does not answer must not hold the consumer off for good
          if (whenReady) await withTimeout(whenReady(), START_TIMEOUT_MS, "the store did not come back");
        } catch (error) {
          logger.warn({ err: error, consumer: this.name }, "consumer_restart_wait_failed");
        }
        if (this.stopping) return;
        try {
          await withTimeout(
            this.start(),
            START_TIMEOUT_MS,
            `the consumer did not start within ${START_TIMEOUT_MS} ms`,
          );
          this.restarting = false;
          logger.info({ consumer: this.name }, "consumer_restarted");
        } catch (error) {
          logger.error({ err: error, consumer: this.name }, "consumer_restart_failed");
          this.restarting = false;
          this.scheduleRestart(this.consumer ?? crashed, whenReady);
        }
      })().finally(() => {
        // stopped while restarting: nothing more to do, but a later start must be able to restart
        if (this.stopping) this.restarting = false;
      });
    }, this.restartDelayMs);
  }
}

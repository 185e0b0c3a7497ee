/**
 * Collects items from concurrent callers into shared sends. kafkajs has no linger: every
 * `send()` is one produce request, so without this each HTTP request would pay a full
 * broker round trip; the processor uses the same to write the batches of many partitions
 * in one transaction. A caller's promise settles when the send carrying all of its items
 * settles. Up to `maxInFlight` sends run at once; what arrives meanwhile waits and goes
 * out with the next free slot.
 */
export interface OutgoingMessage {
  topic: string;
  /** Set when the sender chose the partition (packed records); else Kafka hashes the key. */
  partition?: number | undefined;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export type SendBatch<T> = (items: T[]) => Promise<void>;

export interface BatcherOptions {
  lingerMs: number;
  maxMessages: number;
  maxInFlight?: number;
  /**
   * A caller not settled this long after `enqueue` is rejected (BatchTimeoutError), whether
   * its items still wait or their send is under way (that send may still land). Checked by
   * one timer for all callers, every tenth of it up to 100 ms: a caller learns within that
   * much after its time-out. Unset: callers wait for their send however long it takes.
   */
  timeoutMs?: number;
}

/** A caller's items were not acknowledged within the batcher's `timeoutMs`. */
export class BatchTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no acknowledgement within ${timeoutMs} ms`);
    this.name = "BatchTimeoutError";
  }
}

interface Pending<T> {
  messages: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
  /** epoch ms after which the caller is rejected (options.timeoutMs) */
  deadline: number;
}

export class MicroBatcher<T = OutgoingMessage> {
  private queue: Pending<T>[] = [];
  private queuedMessages = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  /** Callers not settled yet, when there is a time-out to watch (queued or being sent). */
  private readonly unsettled = new Set<Pending<T>>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: SendBatch<T>,
    private readonly options: BatcherOptions,
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  /** Resolves once every message was acknowledged; rejects if their send failed. */
  enqueue(messages: T[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const { timeoutMs } = this.options;
      if (timeoutMs === undefined) {
        this.queue.push({ messages, resolve, reject, deadline: Number.POSITIVE_INFINITY });
      } else {
        const pending: Pending<T> = {
          messages,
          resolve: () => {
            this.unsettled.delete(pending);
            resolve();
          },
          reject: (error) => {
            this.unsettled.delete(pending);
            reject(error);
          },
          deadline: Date.now() + timeoutMs,
        };
        this.unsettled.add(pending);
        this.queue.push(pending);
        this.watchDeadlines(timeoutMs);
      }
      this.queuedMessages += messages.length;
      this.schedule();
    });
  }

  /** One timer for every caller's deadline, running while any caller is unsettled. */
  private watchDeadlines(timeoutMs: number): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const pending of this.unsettled) {
          if (pending.deadline > now) continue;
          // still queued: it is never sent
          const index = this.queue.indexOf(pending);
          if (index >= 0) {
            this.queue.splice(index, 1);
            this.queuedMessages -= pending.messages.length;
          }
          pending.reject(new BatchTimeoutError(timeoutMs));
        }
        if (this.unsettled.size === 0) {
          clearInterval(this.sweeper);
          this.sweeper = undefined;
        }
      },
      Math.max(1, Math.min(100, timeoutMs / 10)),
    );
    this.sweeper.unref();
  }

  /** Sends whatever is queued now and waits for all sends to finish. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      else this.flush();
    }
  }

  private schedule(): void {
    if (this.inFlight.size >= this.maxInFlight) return; // a finishing send flushes the queue
    if (this.queuedMessages >= this.options.maxMessages || this.options.lingerMs === 0) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight.size >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.takeBatch();
    const messages = batch.flatMap((pending) => pending.messages);
    const sending: Promise<void> = this.send(messages).then(
      () => batch.forEach((pending) => pending.resolve()),
      (error: unknown) => batch.forEach((pending) => pending.reject(error)),
    );
    this.inFlight.add(sending);
    void sending.finally(() => {
      this.inFlight.delete(sending);
      // What queued meanwhile has already waited a whole send: no extra linger.
      if (this.queue.length > 0) this.flush();
    });
  }

  /** Whole requests only, up to maxMessages (a larger single request goes alone). */
  private takeBatch(): Pending<T>[] {
    const batch: Pending<T>[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!next) break;
      if (batch.length > 0 && count + next.messages.length > this.options.maxMessages) break;
      this.queue.shift();
      batch.push(next);
      count += next.messages.length;
    }
    this.queuedMessages -= count;
    return batch;
  }
}

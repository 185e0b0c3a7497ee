import type { Producer, ProducerRecord, RecordMetadata } from "kafkajs";
import { logger } from "../logger";
import { withTimeout } from "../timeout";
import type { RecordProducer } from "./types";

/**
 * TRICKY: kafkajs's idempotent producer takes back a failed send's sequence numbers, though
 * the send may have been written (a leader that died before it answered, having replicated
 * it). Its next send then reuses them: a new leader holding the failed batch takes a batch
 * with the same sequence range for a retry of it, answers success and writes nothing, and
 * those records are lost while acknowledged (the three-broker failover test saw it). The
 * Java client bumps the producer's epoch instead. Here, a producer whose send failed or timed
 * out is never used again: the next send goes through a fresh one (a new producer id,
 * sequences from 0). Sends run one at a time, so none overlaps a failed one's sequences.
 */
export class ReplaceableProducer implements RecordProducer {
  private current: Producer;
  private connecting: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** How many times a producer was replaced (for tests and logs). */
  replacements = 0;

  constructor(
    private readonly make: () => Producer,
    private readonly label: string,
    private readonly sendTimeoutMs: number,
  ) {
    this.current = make();
  }

  async connect(): Promise<void> {
    const producer = this.current;
    this.connecting ??= producer.connect().catch((error: unknown) => {
      if (this.current === producer) this.connecting = undefined;
      throw error;
    });
    await this.connecting;
  }

  async disconnect(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.current.disconnect();
  }

  /** Sends and waits for the acknowledgement at most `sendTimeoutMs`; one send at a time. */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const sent = this.queue.then(
      () => this.sendNow(record),
      () => this.sendNow(record),
    );
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  private async sendNow(record: ProducerRecord): Promise<RecordMetadata[]> {
    await this.connect();
    const producer = this.current;
    try {
      return await withTimeout(
        producer.send(record),
        this.sendTimeoutMs,
        `no acknowledgement within ${this.sendTimeoutMs} ms`,
      );
    } catch (error) {
      this.replace(producer, error);
      throw error;
    }
  }

  /** The failed producer is dropped and disconnected; the next send makes a new one. */
  private replace(failed: Producer, error?: unknown): void {
    if (this.current !== failed) return;
    this.current = this.make();
    this.connecting = undefined;
    this.replacements += 1;
    logger.warn({ err: error, producer: this.label }, "kafka_producer_replaced_after_failed_send");
    void failed.disconnect().catch(() => undefined);
  }
}

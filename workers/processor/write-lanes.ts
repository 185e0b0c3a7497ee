import { MicroBatcher, type BatcherOptions } from "@/lib/kafka/batcher";
import { murmur2Partition } from "@/lib/kafka/murmur2";

/** Where a partition stands once a batch is written: what the lanes need of a batch. */
export interface LaneProgress {
  topic: string;
  partition: number;
  nextOffset: number;
}

export interface DurableOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface WriteLanesOptions<B extends { progress: LaneProgress }> {
  lanes: number;
  /** Writes the batches of several partitions in one transaction. */
  write: (batches: B[]) => Promise<void>;
  /** Called once per failure, when the latch closes (the consumer must be replaced). */
  onFailure: (error: unknown) => void;
  batcher?: BatcherOptions;
}

export interface EnqueuedBatch {
  /** Settles with this batch's write; never rejects unobserved. */
  written: Promise<void>;
  /**
   * True once the partition's previous batch is durable (the fetch position may move past
   * this batch); false if that write failed.
   */
  previousDurable: Promise<boolean>;
}

// lingerMs 2: the batches of one fetch reach the lane together and share a transaction
const DEFAULT_BATCHER: BatcherOptions = { lingerMs: 2, maxMessages: 64, maxInFlight: 1 };

/**
 * The processor's ordered writers. Each lane runs its transactions one after another and a
 * partition always goes to the same lane (a hash of topic and partition), so a partition's
 * batches commit in order while another lane writes other partitions at the same time.
 * After a failed write the latch closes: nothing more is written until `recover()`, which
 * the processor calls once the consumer was replaced and is about to re-seek every partition
 * to PostgreSQL's offsets. So no partition's offset moves past a batch that was not stored.
 */
export class WriteLanes<B extends { progress: LaneProgress }> {
  private failure: unknown;
  private failed = false;
  /** Per partition, the write of its latest batch; the next batch waits for it. */
  private readonly pendingWrites = new Map<string, Promise<void>>();
  /** Offsets made durable, not yet committed to Kafka (lag tooling only). */
  private readonly durableOffsets = new Map<string, DurableOffset>();
  private readonly lanes: MicroBatcher<B>[];

  constructor(private readonly options: WriteLanesOptions<B>) {
    const batcher = options.batcher ?? DEFAULT_BATCHER;
    this.lanes = Array.from(
      { length: Math.max(1, options.lanes) },
      () => new MicroBatcher<B>((batches) => this.writeInOrder(batches), batcher),
    );
  }

  /** True from a failed write until `recover()`. */
  get latched(): boolean {
    return this.failed;
  }

  /** Queues a partition's batch on its lane, behind the partition's previous batch. */
  enqueue(batch: B): EnqueuedBatch {
    const key = partitionKey(batch.progress);
    const written = this.laneOf(key).enqueue([batch]);
    written.catch(() => undefined); // reported by writeInOrder; the next batch sees it
    const previous = this.pendingWrites.get(key);
    this.pendingWrites.set(key, written);
    const previousDurable = (previous ?? Promise.resolve()).then(
      () => true,
      () => false,
    );
    return { written, previousDurable };
  }

  /** Offsets made durable since the last call (then forgotten). */
  takeDurableOffsets(): DurableOffset[] {
    const offsets = [...this.durableOffsets.values()];
    this.durableOffsets.clear();
    return offsets;
  }

  /** Waits until every queued batch settled (written or rejected). */
  async drain(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.drain().catch(() => undefined)));
  }

  /** After a failure: lets the queued batches settle (rejected), then opens the latch. */
  async recover(): Promise<void> {
    if (!this.failed) return;
    await this.drain();
    this.pendingWrites.clear();
    this.durableOffsets.clear();
    this.failure = undefined;
    this.failed = false;
  }

  private async writeInOrder(batches: B[]): Promise<void> {
    if (this.failed) throw this.failure;
    try {
      await this.options.write(batches);
    } catch (error) {
      if (!this.failed) {
        this.failed = true;
        this.failure = error;
        this.options.onFailure(error);
      }
      throw error;
    }
    for (const { progress } of batches) {
      this.durableOffsets.set(partitionKey(progress), {
        topic: progress.topic,
        partition: progress.partition,
        offset: String(progress.nextOffset),
      });
    }
  }

  private laneOf(key: string): MicroBatcher<B> {
    const lane = this.lanes[murmur2Partition(key, this.lanes.length)];
    if (!lane) throw new Error(`no write lane for ${key}`);
    return lane;
  }
}

function partitionKey({ topic, partition }: { topic: string; partition: number }): string {
  return `${topic}/${partition}`;
}

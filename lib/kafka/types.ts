import type { Admin, IHeaders, Kafka, Producer } from "kafkajs";

// The project's own names for what workers hold of Kafka. Workers import these, never
// kafkajs: only lib/kafka/ knows which client library sits underneath.

/** This process's client of the cluster (made by createKafka, handed to lib/kafka's functions). */
export type KafkaConnection = Kafka;

/** A producer of the project's own topics. */
export type RecordProducer = Pick<Producer, "connect" | "disconnect" | "send">;

/** An admin connection, for reading topics' offsets. */
export type KafkaAdmin = Pick<Admin, "connect" | "disconnect" | "fetchTopicOffsets">;

/** A record's headers (packed records carry the fields their events share there). */
export type RecordHeaders = IHeaders;

/** A record as a batch handler sees it. */
export interface ConsumedRecord {
  offset: string;
  value: Buffer | null;
  headers?: RecordHeaders;
}

/** Records of one partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  messages: ConsumedRecord[];
  lastOffset(): string;
}

/** What a group consumer hands its batch handler. */
export interface BatchContext {
  batch: RecordBatch;
  /** Moves the partition's fetch position past `offset` (the handler decides when). */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  /** True once a rebalance took the partition away: the batch must not be acted on. */
  isStale(): boolean;
  /** Commits to Kafka the offsets resolved so far. */
  commitResolved(): Promise<void>;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
}

/** Partitions assigned to this member, by topic. */
export type Assignment = Record<string, number[]>;

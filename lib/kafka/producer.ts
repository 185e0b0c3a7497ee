import { CompressionTypes, Partitioners, type Kafka, type Producer } from "kafkajs";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { topicForType } from "../events/routing";
import type { WireEvent } from "../events/schema";
import { logger } from "../logger";
import { withTimeout } from "../timeout";
import { kafkaProduceFailuresTotal, kafkaProduceSeconds } from "../metrics";
import { MicroBatcher, type OutgoingMessage } from "./batcher";
import { createKafka } from "./client";
import { packEvents, type RecordContext } from "./records";
import { configuredEventTopics, ensureEventTopics, fetchPartitionCounts } from "./topics";

interface ProducerState {
  kafka: Kafka;
  producers: Producer[];
  idle: Producer[];
  batcher: MicroBatcher;
  ready: Promise<void> | undefined;
  /** The first `ready` resolved: requests skip waiting for it. */
  isReady: boolean;
  partitionCounts: Map<string, number>;
}

// One producer pool per process, shared by every route bundle (Next.js may load a module more than once).
const globalKey = Symbol.for("analytics.kafka.producer");
type GlobalWithProducer = typeof globalThis & { [globalKey]?: ProducerState };

// TRICKY: kafkajs lets an idempotent producer have one request in flight per broker, so
// one producer caps throughput at batch size / round trip. A small pool of idempotent
// producers (each its own producer id) keeps several batches in flight.
function getState(): ProducerState {
  const holder = globalThis as GlobalWithProducer;
  if (holder[globalKey]) return holder[globalKey];
  const env = getEnv();
  const kafka = createKafka("ingest");
  const newProducer = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  const producers = Array.from({ length: env.PRODUCER_POOL_SIZE }, newProducer);
  const state: ProducerState = {
    kafka,
    producers,
    idle: [...producers],
    ready: undefined,
    isReady: false,
    partitionCounts: new Map(),
    batcher: new MicroBatcher(
      async (messages) => {
        await ensureReady(state);
        const producer = state.idle.pop();
        if (!producer) throw new Error("no idle producer (batcher allowed more sends than the pool)");
        const stopTimer = kafkaProduceSeconds.startTimer();
        let replacement: Producer | undefined;
        try {
          await connected(producer);
          try {
            await producer.sendBatch({
              acks: -1,
              timeout: env.PRODUCE_TIMEOUT_MS,
              compression: CompressionTypes.None,
              topicMessages: groupByTopic(messages),
            });
          } catch (error) {
            // never reused: its sequence numbers may now name a batch that was written (see below)
            replacement = replaceProducer(state, producer, newProducer, error);
            throw error;
          }
        } finally {
          state.idle.push(replacement ?? producer);
          stopTimer();
        }
      },
      {
        lingerMs: env.PRODUCER_LINGER_MS,
        maxMessages: env.PRODUCER_MAX_BATCH_MESSAGES,
        maxInFlight: env.PRODUCER_POOL_SIZE,
        // every request's bound, kept by one timer for all of them (not one per request)
        timeoutMs: env.PRODUCE_TIMEOUT_MS,
      },
    ),
  };
  holder[globalKey] = state;
  return state;
}

/**
 * TRICKY: a producer whose send failed is replaced by a new one (a new producer id, sequences
 * from 0), whatever the error. kafkajs takes back a failed send's sequence numbers though the
 * send may have been written (a leader that died before it answered, having replicated it),
 * and its next send would reuse them: a new leader holding the failed batch takes a batch
 * with the same sequence range for a retry, answers success and writes nothing, so a 202's
 * records were lost (the three-broker failover test, tests/cluster, saw it). After a broker
 * restart it also got OUT_OF_ORDER_SEQUENCE_NUMBER on every later send and never recovered.
 * The Java client bumps the producer's epoch. The failed request was answered 503, and the
 * client's retry is stored once (event ids). The workers' producers do the same
 * (ReplaceableProducer).
 */
function replaceProducer(
  state: ProducerState,
  broken: Producer,
  newProducer: () => Producer,
  error: unknown,
): Producer {
  const fresh = newProducer();
  state.producers[state.producers.indexOf(broken)] = fresh;
  logger.warn({ err: error }, "kafka_producer_replaced_after_failed_send");
  void broken.disconnect().catch(() => undefined);
  return fresh;
}

const connections = new WeakMap<Producer, Promise<void>>();

/** Connects a producer once; a failed connection is tried again on its next send. */
function connected(producer: Producer): Promise<void> {
  let connection = connections.get(producer);
  if (!connection) {
    connection = producer.connect().catch((error: unknown) => {
      connections.delete(producer);
      throw error;
    });
    connections.set(producer, connection);
  }
  return connection;
}

function ensureReady(state: ProducerState): Promise<void> {
  state.ready ??= (async () => {
    await Promise.all(state.producers.map((producer) => connected(producer)));
    await ensureEventTopics(state.kafka);
    state.partitionCounts = await fetchPartitionCounts(state.kafka, configuredEventTopics());
    state.isReady = true;
  })().catch((error: unknown) => {
    state.ready = undefined; // try again on the next request
    throw error;
  });
  return state.ready;
}

function groupByTopic(messages: OutgoingMessage[]) {
  const byTopic = new Map<string, Omit<OutgoingMessage, "topic">[]>();
  for (const { topic, ...message } of messages) {
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(message);
  }
  return [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages }));
}

/** Kafka records for one request's accepted events: topic by type, partition by key (see records.ts). */
export function toMessages(
  events: WireEvent[],
  context: RecordContext,
  partitionCounts: Map<string, number>,
): OutgoingMessage[] {
  const env = getEnv();
  const topics = { prefix: env.KAFKA_TOPIC_PREFIX, eventTypes: env.EVENT_TYPES };
  const topicOfType = new Map<string, string>(); // a request holds a handful of types
  return packEvents(
    events,
    (event) => {
      let topic = topicOfType.get(event.event_type);
      if (topic === undefined)
        topicOfType.set(event.event_type, (topic = topicForType(event.event_type, topics)));
      return topic;
    },
    (topic) => partitionCounts.get(topic),
    context,
  );
}

/**
 * Produces the events and resolves only when Kafka acknowledged every one of them
 * (acks from all in-sync replicas). Any failure or time-out is a 503 for the client.
 */
export async function produceEvents(events: WireEvent[], context: RecordContext): Promise<void> {
  const state = getState();
  try {
    const produce = () => state.batcher.enqueue(toMessages(events, context, state.partitionCounts));
    // until the connection and topics are ready once, a timer bounds the whole request; from
    // then on the batcher bounds each request (timeoutMs: one timer for all, not one each)
    if (state.isReady) await produce();
    else
      await withTimeout(
        ensureReady(state).then(() => produce()),
        getEnv().PRODUCE_TIMEOUT_MS,
        `no acknowledgement within ${getEnv().PRODUCE_TIMEOUT_MS} ms`,
      );
  } catch (error) {
    kafkaProduceFailuresTotal.inc();
    logger.error(
      { correlation_id: context.correlationId, err: error, events: events.length },
      "kafka_produce_failed",
    );
    throw new AppError("broker_unavailable", "The event broker is unavailable; retry later", {
      retryAfterSeconds: 2,
      cause: error,
      // The ids let a client retry safely: a repeated event_id is stored once.
      extra: { event_ids: events.map((event) => event.event_id) },
    });
  }
}

/** Connects the producer and creates the topics ahead of the first request (server start). */
export async function warmUpProducer(): Promise<void> {
  await ensureReady(getState());
}

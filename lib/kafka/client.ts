import { Kafka, logLevel, Partitioners, type LogEntry } from "kafkajs";
import { getEnv } from "../env";
import { ReplaceableProducer } from "./replaceable-producer";
import type { KafkaAdmin } from "./types";
import { logger } from "../logger";

const kafkaLogger = logger.child({ component: "kafkajs" });

// TRICKY: kafkajs warns on every start that limited retries may weaken idempotence; we
// limit them on purpose (a stopped broker must turn into a 503, not an endless wait).
const SILENCED = ["Limiting retries for the idempotent producer"];

function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    if (SILENCED.some((prefix) => message.startsWith(prefix))) return;
    const context = { kafka_namespace: extra.namespace, ...extra };
    if (level === logLevel.ERROR) kafkaLogger.error(context, message);
    else if (level === logLevel.WARN) kafkaLogger.warn(context, message);
    else if (level === logLevel.INFO) kafkaLogger.info(context, message);
    else kafkaLogger.debug(context, message);
  };
}

/** A kafkajs client for this process; every Kafka use goes through lib/kafka. */
export function createKafka(clientSuffix: string): Kafka {
  const env = getEnv();
  return new Kafka({
    clientId: `${env.KAFKA_CLIENT_ID}-${clientSuffix}`,
    brokers: env.KAFKA_BROKERS,
    connectionTimeout: 1000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator,
  });
}

/**
 * A worker's producer for its own topics (closed windows, dead letters): idempotent, one request
 * in flight, no topic created by accident, kafkajs's default (Java-compatible) partitioner; a
 * send not acknowledged within `sendTimeoutMs` fails, and a failed send's producer is replaced
 * (see ReplaceableProducer: kafkajs would reuse its sequence numbers). A failed send may still
 * land: callers send at least once.
 */
export function createIdempotentProducer(
  kafka: Kafka,
  label: string,
  sendTimeoutMs = 30_000,
): ReplaceableProducer {
  return new ReplaceableProducer(
    () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    label,
    sendTimeoutMs,
  );
}

/** An admin connection (not yet connected), for reading topics' offsets. */
export function createAdmin(kafka: Kafka): KafkaAdmin {
  return kafka.admin();
}

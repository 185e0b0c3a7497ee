import type { Admin, Kafka } from "kafkajs";
import { getEnv } from "../env";
import { listEventTopics } from "../events/routing";
import { logger } from "../logger";

/** The event topics this configuration owns. */
export function configuredEventTopics(): string[] {
  const env = getEnv();
  return listEventTopics({ prefix: env.KAFKA_TOPIC_PREFIX, eventTypes: env.EVENT_TYPES });
}

/** Creates the missing event topics with the configured partitions, replication and retention. */
export async function ensureEventTopics(kafka: Kafka, topics = configuredEventTopics()): Promise<string[]> {
  const env = getEnv();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: env.KAFKA_PARTITIONS,
          replicationFactor: env.KAFKA_REPLICATION_FACTOR,
          configEntries: [
            { name: "retention.ms", value: String(env.KAFKA_RETENTION_MS) },
            { name: "min.insync.replicas", value: String(Math.min(2, env.KAFKA_REPLICATION_FACTOR)) },
          ],
        })),
      });
      logger.info({ topics: missing }, "kafka_topics_created");
    }
    await waitForLeaders(admin, topics);
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** The partition count of each topic (the producer packs records per partition). */
export async function fetchPartitionCounts(kafka: Kafka, topics: string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    return new Map(metadata.map((topic) => [topic.name, topic.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * TRICKY: a topic another process has just created may exist without partition leaders yet;
 * a consumer that subscribes then gets no partitions until its next metadata refresh
 * (minutes). Wait until every partition has a leader.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // a broker that has just created the topics may not know them in its metadata yet
    const metadata = await admin.fetchTopicMetadata({ topics }).then(
      (result) => result.topics,
      (error: unknown) => {
        if ((error as { retriable?: boolean }).retriable === true && Date.now() < deadline) return [];
        throw error;
      },
    );
    const ready =
      metadata.length === topics.length &&
      metadata.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`topics without partition leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

import type { Kafka } from "kafkajs";
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

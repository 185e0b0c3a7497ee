import { Partitioners, type Kafka } from "kafkajs";
import type { OutgoingMessage } from "@/lib/kafka/batcher";

/**
 * Sends records as the ingest route would have (packEvents' output), one at a time and in
 * order, each acknowledged by every in-sync replica: for tests that put on a topic what the
 * route would not send, or send it behind the route's back.
 */
export async function produceRecords(kafka: Kafka, records: OutgoingMessage[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (const { topic, key, value, headers } of records)
      await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  } finally {
    await producer.disconnect();
  }
}

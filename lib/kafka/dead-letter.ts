import type { RecordProducer } from "./types";

export interface BadMessage {
  offset: string;
  value: Buffer | string | null;
  reason: string;
}

/**
 * Sends messages a consumer cannot read to its dead-letter topic, with the reason and the
 * source position in headers, so the consumer moves on instead of crash-looping.
 */
export async function sendToDeadLetter(
  producer: RecordProducer,
  deadLetterTopic: string,
  source: { topic: string; partition: number },
  bad: BadMessage[],
): Promise<void> {
  if (bad.length === 0) return;
  await producer.send({
    topic: deadLetterTopic,
    acks: -1,
    messages: bad.map((message) => ({
      value: message.value,
      headers: {
        "x-dead-letter-reason": message.reason,
        "x-source-topic": source.topic,
        "x-source-partition": String(source.partition),
        "x-source-offset": message.offset,
      },
    })),
  });
}

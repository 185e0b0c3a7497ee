import type { Producer } from "kafkajs";
import { processorDeadLettersTotal } from "@/lib/metrics";

export interface BadMessage {
  offset: string;
  value: string | null;
  reason: string;
}

/** Sends messages the processor cannot read to the dead-letter topic, with the reason, instead of crash-looping. */
export async function sendToDeadLetter(
  producer: Producer,
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
  for (const message of bad)
    processorDeadLettersTotal.inc({ reason: message.reason.split(":")[0] ?? "invalid" });
}

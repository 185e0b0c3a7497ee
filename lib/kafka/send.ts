import type { ProducerRecord } from "kafkajs";
import { withTimeout } from "../timeout";
import type { RecordProducer } from "./types";

/**
 * Sends and waits for the acknowledgement at most `timeoutMs`: kafkajs's own retries can leave
 * a send pending for long after a broker restart, and a worker's loop must not wait on it
 * forever. A send that times out may still land later: callers send at least once.
 */
export async function sendWithin(
  producer: RecordProducer,
  record: ProducerRecord,
  timeoutMs: number,
): Promise<void> {
  await withTimeout(producer.send(record), timeoutMs, `no acknowledgement within ${timeoutMs} ms`);
}

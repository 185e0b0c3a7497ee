/** Runs once when the Next.js server starts: create the topics and connect the producer early. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { warmUpProducer } = await import("./lib/kafka/producer");
  const { logger } = await import("./lib/logger");
  try {
    await warmUpProducer();
    logger.info("kafka_producer_ready");
  } catch (error) {
    // Not fatal: the first request retries, and answers 503 while Kafka is away.
    logger.warn({ err: error }, "kafka_producer_warmup_failed");
  }
}

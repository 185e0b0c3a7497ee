/**
 * Runs once when the Next.js server starts: installs the ordered shutdown (lib/http/shutdown.ts),
 * loads the ingest keys, creates the topics and connects the producer early, and records this process's figures in
 * system_metrics every 10 s for the System page.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { warmUpProducer } = await import("./lib/kafka/producer");
  const { logger } = await import("./lib/logger");
  const { registerWebShutdown } = await import("./lib/http/shutdown");
  const { closeLiveStreams } = await import("./lib/realtime/live-subscriber");
  registerWebShutdown(closeLiveStreams);
  const { createRegistrySnapshots } = await import("./lib/services/system/report-snapshots");
  await createRegistrySnapshots("web").start();
  // ingest keys in memory before the first request: ingest then needs only Kafka
  const { keepIngestKeysLoaded } = await import("./lib/auth/authorize");
  await keepIngestKeysLoaded();
  try {
    await warmUpProducer();
    logger.info("kafka_producer_ready");
  } catch (error) {
    // Not fatal: the first request retries, and answers 503 while Kafka is away.
    logger.warn({ err: error }, "kafka_producer_warmup_failed");
  }
}

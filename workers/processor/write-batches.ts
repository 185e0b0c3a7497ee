import { logger } from "@/lib/logger";
import {
  aggregationOverflowEventsTotal,
  processorBatchSeconds,
  processorEventsTotal,
  processorLateEventsTotal,
  processorRedisFailuresTotal,
} from "@/lib/metrics";
import type { PartitionProgress, PersistResult, SecondCount } from "@/lib/services/events/persist-batch";
import type { PendingEvent } from "./decode-batch";
import type { ProcessorStats } from "./processor-stats";
import type { SessionSighting } from "./realtime-counters";

/** One partition's decoded batch, waiting to be written with the others. */
export interface PartitionBatch {
  events: PendingEvent[];
  progress: PartitionProgress;
}

export interface BatchWriterDeps {
  /** Creates the raw_events partitions of the events' days (partition-days.ts). */
  ensureDays: (times: Iterable<number>) => Promise<void>;
  /** One transaction: raw events, aggregates, offsets and watermarks (persistBatch). */
  persist: (events: PendingEvent[], progress: PartitionProgress[]) => Promise<PersistResult>;
  /** The real-time counters (Redis): a cache, so its failure is counted and logged only. */
  recordCounts: (counts: SecondCount[], sessions: SessionSighting[]) => Promise<void>;
  /** Told the rows each batch inserted (planner statistics, planner-statistics.ts). */
  onInserted?: (rows: number) => void;
  stats: ProcessorStats;
}

/**
 * The write step: stores the batches of every partition that arrived together in ONE
 * transaction. With dozens of partitions a transaction per partition batch spends its time
 * on round trips and commits, and keeps fresh events waiting behind other partitions.
 */
export function createBatchWriter(deps: BatchWriterDeps): (parts: PartitionBatch[]) => Promise<void> {
  return async (parts) => {
    const started = performance.now();
    const stopTimer = processorBatchSeconds.startTimer();
    const events = parts.flatMap((part) => part.events);
    await deps.ensureDays(events.map(({ time }) => time));
    // persistBatch retries a lost deadlock or a batch that met stored events itself
    const result = await deps.persist(
      events,
      parts.map((part) => part.progress),
    );
    processorEventsTotal.inc({ outcome: "stored" }, result.inserted - result.late);
    processorEventsTotal.inc({ outcome: "late" }, result.late);
    processorEventsTotal.inc({ outcome: "duplicate" }, events.length - result.inserted);
    processorLateEventsTotal.inc(result.late);
    deps.onInserted?.(result.inserted);
    aggregationOverflowEventsTotal.inc({ dimension: "event_type" }, result.typeOverflow);
    aggregationOverflowEventsTotal.inc({ dimension: "region" }, result.regionOverflow);
    try {
      const sessions = events.flatMap(({ projectId, sessionId, time }) =>
        sessionId ? [{ projectId, sessionId, time }] : [],
      );
      await deps.recordCounts(result.secondCounts, sessions);
    } catch (error) {
      processorRedisFailuresTotal.inc();
      logger.warn({ err: error }, "realtime_counters_failed");
    }
    stopTimer();
    deps.stats.recordBatch(events.length, result.inserted, result.late, performance.now() - started);
    if (logger.isLevelEnabled("debug")) logPersisted(parts, events, result);
  };
}

function logPersisted(parts: PartitionBatch[], events: PendingEvent[], result: PersistResult): void {
  logger.debug(
    { partitions: parts.length, events: events.length, inserted: result.inserted, late: result.late },
    "batch_persisted",
  );
  // Per-event lines trace one request through the pipeline; not for production volume.
  for (const { correlationId, eventId, partition, offset } of events) {
    logger.debug({ correlation_id: correlationId, event_id: eventId, partition, offset }, "event_persisted");
  }
}

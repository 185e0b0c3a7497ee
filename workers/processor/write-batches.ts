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
  /**
   * Sends an event PostgreSQL refused to the dead-letter topic (acknowledged before the
   * offset past it is stored). Without it, a refused batch fails as any other failure does.
   */
  deadLetter?: (part: PartitionBatch, event: PendingEvent, reason: string) => Promise<void>;
  stats: ProcessorStats;
}

/**
 * SQLSTATE classes of an error that is about the data written, not about the database's
 * state: data exceptions (22), integrity violations (23) and program limits such as an index
 * row too large (54), and an exception a trigger raises (P0001). The same batch would fail
 * the same way forever. A unique violation (23505) is the identity rule's retry in
 * persistBatch, not a refusal. Anything else (a lost connection, a shutdown, a full disk, a
 * timeout) is retried whole, as before.
 */
export function isRefusedData(error: unknown): error is { code: string; message?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code) || code === "23505") return false;
  return code.startsWith("22") || code.startsWith("23") || code.startsWith("54") || code === "P0001";
}

/**
 * At most this many events of one write are dead-lettered as refused; one more fails the
 * write (and the consumer retries it). A database that refuses every event (a bad migration,
 * a constraint added by mistake) then stops the partition, which lag alerts show, rather
 * than emptying it into the dead-letter topic. Each retry stores the offsets past the events
 * dead-lettered so far, so a batch with more refused events than this still drains.
 */
export const MAX_REFUSED_PER_WRITE = 10;

function addResults(into: PersistResult, more: PersistResult): PersistResult {
  return {
    inserted: into.inserted + more.inserted,
    late: into.late + more.late,
    secondCounts: [...into.secondCounts, ...more.secondCounts],
    typeOverflow: into.typeOverflow + more.typeOverflow,
    regionOverflow: into.regionOverflow + more.regionOverflow,
  };
}

const NOTHING: PersistResult = { inserted: 0, late: 0, secondCounts: [], typeOverflow: 0, regionOverflow: 0 };

/**
 * The write after PostgreSQL refused the whole: each partition's batch alone, in order, and a
 * refused one split in halves until the refused events stand alone; those are dead-lettered,
 * the rest stored. Every piece is its own transaction with its own offset: the offset a piece
 * stores is that of the first event after it (a record packing several events may span two
 * pieces: after a crash it is read again and its stored events are recognised, as after any
 * re-read). The watermark moves with the last piece only.
 */
async function writeIsolatingRefused(
  deps: BatchWriterDeps,
  parts: PartitionBatch[],
  cause: unknown,
): Promise<PersistResult & { refused: number }> {
  const deadLetter = deps.deadLetter;
  if (!deadLetter) throw cause;
  let refused = 0;
  const store = async (
    part: PartitionBatch,
    events: PendingEvent[],
    progress: PartitionProgress,
  ): Promise<PersistResult> => {
    try {
      return await deps.persist(events, [progress]);
    } catch (error) {
      if (!isRefusedData(error) || events.length === 0) throw error;
      if (events.length === 1) {
        const [event] = events as [PendingEvent];
        refused += 1;
        if (refused > MAX_REFUSED_PER_WRITE) throw error;
        logger.error(
          { err: error, event_id: event.eventId, partition: event.partition, offset: event.offset },
          "event_refused_by_database_dead_lettered",
        );
        await deadLetter(part, event, `refused_by_database: ${error.code} ${error.message ?? ""}`.trim());
        return deps.persist([], [progress]);
      }
      const middle = Math.floor(events.length / 2);
      const head = events.slice(0, middle);
      const tail = events.slice(middle);
      const first = await store(part, head, {
        ...progress,
        nextOffset: (tail[0] as PendingEvent).offset,
        maxEventTime: undefined,
      });
      return addResults(first, await store(part, tail, progress));
    }
  };
  let total = NOTHING;
  for (const part of parts) total = addResults(total, await store(part, part.events, part.progress));
  return { ...total, refused };
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
    const result: PersistResult & { refused?: number } = await deps
      .persist(
        events,
        parts.map((part) => part.progress),
      )
      .catch((error: unknown) => {
        if (!isRefusedData(error)) throw error;
        logger.warn(
          { err: error, partitions: parts.length, events: events.length },
          "batch_refused_isolating",
        );
        return writeIsolatingRefused(deps, parts, error);
      });
    processorEventsTotal.inc({ outcome: "stored" }, result.inserted - result.late);
    processorEventsTotal.inc({ outcome: "late" }, result.late);
    const refused = result.refused ?? 0;
    processorEventsTotal.inc({ outcome: "duplicate" }, events.length - result.inserted - refused);
    processorEventsTotal.inc({ outcome: "refused" }, refused);
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

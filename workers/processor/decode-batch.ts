import type { BadMessage } from "@/lib/kafka/dead-letter";
import { mayBeClosed, watermarkTime } from "@/lib/domain/windowing/watermark";
import { stageEvent, type StagedEvent } from "@/lib/services/events/persist-batch";
import { decodeRecord } from "./decode";

/**
 * TRICKY: decoding a fetch takes hundreds of ms of one event loop; in one piece it would
 * hold up every step of the writer's transaction (each waits its turn on the loop).
 */
const DECODE_SLICE_MS = 4;

/**
 * What the processor keeps of a decoded event until its batch is written: the COPY line
 * and the few fields the steps after the write need. The decoded object itself (with its
 * properties) is garbage as soon as its line is made; two batches per partition wait in
 * memory, so this keeps the processor under its memory target.
 */
export interface PendingEvent extends StagedEvent {
  time: number;
  sessionId: string | undefined;
  correlationId: string;
  partition: number;
  offset: number;
}

/** A fetched record, as the consumer hands it over. */
export interface FetchedMessage {
  offset: string;
  value: Buffer | null;
  headers?: Parameters<typeof decodeRecord>[1];
}

export interface EventTimeRules {
  windowSizesMs: readonly number[];
  allowedLatenessMs: number;
  maxSkewMs: number;
}

export interface DecodedBatch {
  events: PendingEvent[];
  /** Records, or elements of packed records, that are not events: for the dead-letter topic. */
  bad: BadMessage[];
  /** The largest time the batch moves its partition's watermark to (undefined: no event). */
  maxEventTime: number | undefined;
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Decodes a partition's fetch (decode), decides per event whether one of its windows may be
 * closed already and what it adds to the watermark (lateness), and makes its COPY line
 * (stage), in slices of a few ms: the writer's transaction goes on between slices.
 */
export async function decodeBatch(
  messages: readonly FetchedMessage[],
  partition: number,
  now: number,
  rules: EventTimeRules,
  sliceMs = DECODE_SLICE_MS,
): Promise<DecodedBatch> {
  const events: PendingEvent[] = [];
  const bad: BadMessage[] = [];
  let maxEventTime: number | undefined;
  let sliceStarted = performance.now();
  for (const message of messages) {
    if (performance.now() - sliceStarted > sliceMs) {
      await yieldToLoop();
      sliceStarted = performance.now();
    }
    const decoded = decodeRecord(message.value, message.headers);
    for (const failure of decoded.failures) bad.push({ offset: message.offset, ...failure });
    for (const event of decoded.events) {
      const time = event.timestamp;
      const maybeClosed = mayBeClosed(
        time,
        now,
        rules.windowSizesMs,
        rules.allowedLatenessMs,
        rules.maxSkewMs,
      );
      // a client's clock cannot move the watermark past its request's receive time plus the skew
      const markTime = watermarkTime(time, event.received_at, rules.maxSkewMs);
      maxEventTime = maxEventTime === undefined ? markTime : Math.max(maxEventTime, markTime);
      const offset = Number(message.offset);
      // the COPY line is made now, while the writer is busy with the previous batch
      const { eventId, suppliedTime, stagingRow } = stageEvent({ event, partition, offset, maybeClosed });
      events.push({
        eventId,
        suppliedTime,
        stagingRow,
        time,
        projectId: event.project_id,
        sessionId: event.session_id,
        correlationId: event.correlation_id,
        partition,
        offset,
      });
    }
  }
  return { events, bad, maxEventTime };
}

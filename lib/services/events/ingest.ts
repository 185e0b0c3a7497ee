import "server-only";
import { getEnv } from "../../env";
import { AppError, type ErrorDetail } from "../../errors";
import { sourceOf, toWireEvent, type RequestContext } from "../../events/enrich";
import { detectFormat, parseEvents } from "../../events/parse-body";
import type { WireEvent } from "../../events/schema";
import { mayHoldUnstorableText } from "../../events/storable-text";
import { validateEvent } from "../../events/validate";
import { produceEvents } from "../../kafka/producer";
import { ingestEventsTotal, ingestRejectedEventsTotal } from "../../metrics";
import { publishLiveCounts } from "./publish-live-counts";

export interface IngestInput extends RequestContext {
  contentType: string | null;
  body: string;
}

export interface IngestResult {
  accepted: number;
  event_ids: string[];
}

const MAX_DETAILS = 100;

/**
 * Validates every event, then produces all of them; a batch with any invalid event is
 * rejected whole, so the client can fix and resend it without creating duplicates.
 * The events are the request's parsed JSON turned into their record form in place: no
 * event is copied or serialised on its own (see docs/performance.md).
 */
export function prepareEvents(input: IngestInput): WireEvent[] {
  const env = getEnv();
  const { items } = parseEvents(input.body, detectFormat(input.contentType));
  if (items.length === 0) {
    throw new AppError("validation_failed", "The request holds no events", {
      details: [{ path: "(body)", message: "must hold at least one event" }],
    });
  }
  if (items.length > env.INGEST_MAX_EVENTS) {
    throw new AppError(
      "too_many_events",
      `The request holds ${items.length} events; the limit is ${env.INGEST_MAX_EVENTS}`,
    );
  }
  const limits = {
    now: input.receivedAt,
    maxFutureMs: env.INGEST_MAX_FUTURE_MS,
    retentionMs: env.RETENTION_DAYS * 86_400_000,
    maxPropertiesBytes: env.INGEST_MAX_PROPERTIES_BYTES,
    checkText: mayHoldUnstorableText(input.body),
  };
  const events: WireEvent[] = [];
  const details: ErrorDetail[] = [];
  // one request holds an event once: a repeated event_id is the client's mistake, not a retry
  const firstIndexOfId = new Map<string, number>();
  items.forEach((item, index) => {
    const result = validateEvent(item, index, limits);
    if (!result.ok) {
      details.push(...result.details);
      return;
    }
    const id = result.event.input.event_id;
    if (id !== undefined) {
      const first = firstIndexOfId.get(id);
      if (first !== undefined) {
        details.push({ index, path: "event_id", message: `repeats the event_id of event ${first}` });
        return;
      }
      firstIndexOfId.set(id, index);
    }
    if (details.length === 0) events.push(toWireEvent(result.event, input.receivedAt));
  });
  if (details.length > 0) {
    ingestRejectedEventsTotal.inc(items.length);
    const first = details[0];
    const where = first ? ` (event ${first.index ?? 0}, field "${first.path}": ${first.message})` : "";
    throw new AppError("validation_failed", `Invalid events; nothing was accepted${where}`, {
      details: details.slice(0, MAX_DETAILS),
    });
  }
  return events;
}

export async function ingestEvents(input: IngestInput): Promise<IngestResult> {
  const events = prepareEvents(input);
  await produceEvents(events, {
    correlationId: input.correlationId,
    receivedAt: input.receivedAt,
    source: sourceOf(input),
    projectId: input.projectId,
  });
  ingestEventsTotal.inc(events.length);
  publishLiveCounts(input.projectId, events, input.receivedAt);
  return { accepted: events.length, event_ids: events.map((event) => event.event_id) };
}

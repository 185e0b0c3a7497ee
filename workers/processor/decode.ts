import { recordEventSchema } from "@/lib/events/fields";
import {
  findUnstorableText,
  mayHoldUnstorableText,
  UNSTORABLE_TEXT_MESSAGE,
} from "@/lib/events/storable-text";
import type { EnrichedEvent } from "@/lib/events/schema";
import { unpackRecord } from "@/lib/kafka/records";
import type { RecordHeaders } from "@/lib/kafka/types";

export interface DecodedRecord {
  events: EnrichedEvent[];
  /** Parts that are not events, with the reason (they go to the dead-letter topic). */
  failures: { value: string | null; reason: string }[];
}

function checkEvent(
  json: unknown,
  checkText: boolean,
): { ok: true; event: EnrichedEvent } | { ok: false; reason: string } {
  // What the ingest route wrote, checked again because a topic may hold anything. An unknown
  // field is refused, not dropped: the record goes to the dead-letter topic naming it.
  const parsed = recordEventSchema.safeParse(json);
  if (parsed.success) {
    // text PostgreSQL refuses would fail every write of the batch holding it, for good
    const unstorable = checkText ? findUnstorableText(parsed.data, "") : undefined;
    if (unstorable !== undefined)
      return { ok: false, reason: `invalid field ${unstorable}: ${UNSTORABLE_TEXT_MESSAGE}` };
    return { ok: true, event: parsed.data };
  }
  const issue = parsed.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    const at = issue.path.length > 0 ? ` in ${issue.path.join(".")}` : "";
    return { ok: false, reason: `unknown field${at}: ${issue.keys.join(", ")}` };
  }
  return { ok: false, reason: `invalid field ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}` };
}

/**
 * Parses one Kafka record: one event, or a JSON array of events (records packed per
 * partition by the ingest route, their shared fields in the headers). A bad record or
 * element is reported, never thrown.
 */
export function decodeRecord(value: Buffer | null, headers?: RecordHeaders): DecodedRecord {
  if (value === null) return { events: [], failures: [{ value: null, reason: "empty message" }] };
  const text = value.toString("utf8");
  let items: unknown[];
  try {
    items = unpackRecord(text, headers);
  } catch {
    return { events: [], failures: [{ value: text, reason: "not JSON" }] };
  }
  // such text comes only as a \u escape in the value, or as a NUL byte in a header
  const checkText =
    mayHoldUnstorableText(text) ||
    Object.values(headers ?? {}).some((header) => header !== undefined && String(header).includes("\u0000"));
  const decoded: DecodedRecord = { events: [], failures: [] };
  for (const item of items) {
    const result = checkEvent(item, checkText);
    if (result.ok) decoded.events.push(result.event);
    else decoded.failures.push({ value: JSON.stringify(item), reason: result.reason });
  }
  return decoded;
}

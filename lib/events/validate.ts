import { Ajv } from "ajv";
import { z } from "zod";
import { uuidV7Time } from "./event-id";
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from "./storable-text";
import { eventInputSchema, MAX_PROPERTIES_DEPTH, type EventInput } from "./schema";
import type { ErrorDetail } from "../errors";

export interface ValidationLimits {
  now: number;
  maxFutureMs: number;
  retentionMs: number;
  maxPropertiesBytes: number;
  /**
   * Check the strings for text PostgreSQL cannot store (storable-text.ts): needed only when
   * the body holds a `\u` escape, the one way JSON carries such text.
   */
  checkText?: boolean;
}

export interface ValidEvent {
  input: EventInput;
  /** The client's `timestamp` as epoch milliseconds. */
  timestamp: number | undefined;
  /** No `timestamp`, but a UUIDv7 `event_id` whose time is in range: the event's time (see event-id.ts). */
  idTime?: number;
}

/**
 * The event schema compiled to one JavaScript function (ajv, from the zod schema's JSON
 * Schema): ~6x faster than zod on the ingest route, where every event is checked. zod stays
 * the one definition and writes every error message: an event this check refuses is parsed
 * by zod, which names the fields. The check must never pass what zod refuses; a property
 * test holds them to that.
 */
export const matchesEventSchema = new Ajv({
  // regular expressions without the `u` flag, as zod runs them
  unicodeRegExp: false,
  // date-times are checked by the pattern zod writes next to the format
  validateFormats: false,
}).compile(eventJsonSchema());

/**
 * The event schema as JSON Schema. What JSON Schema cannot express would let the compiled
 * check pass what zod refuses: a `z.custom` without `.meta({ type })` comes out as "anything
 * goes", and such a field stops the process at start-up here; a `.refine` is left out
 * silently, so checks of that kind belong in `validateEvent`, after the schema, not in
 * `eventInputSchema`.
 */
function eventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(eventInputSchema, { io: "input", target: "draft-7", unrepresentable: "any" });
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property !== "object" || Object.keys(property).length === 0) {
      throw new Error(`event field "${field}" has no JSON Schema: give its zod check .meta({ type })`);
    }
  }
  return schema;
}

/** Depth of nested objects and arrays; a scalar has depth 0. */
export function measureDepth(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== "object") return depth;
  let deepest = depth + 1;
  const object = value as Record<string, unknown>;
  for (const key in object) {
    deepest = Math.max(deepest, measureDepth(object[key], limit, depth + 1));
    if (deepest > limit) break;
  }
  return deepest;
}

// A JSON string takes at most 6 bytes per UTF-16 unit (\u001f) plus its quotes; a number
// at most 25 characters (-0.0000012345678901234567: 17 digits after six zeros).
const MAX_BYTES_PER_UNIT = 6;
const MAX_NUMBER_BYTES = 25;

/**
 * An upper bound of the UTF-8 size of `value` as JSON, found by walking it, so that the
 * common small properties object is never serialised just to be measured. Stops once the
 * bound passes `limit`.
 */
export function boundJsonBytes(value: unknown, limit: number): number {
  if (typeof value === "string") return value.length * MAX_BYTES_PER_UNIT + 2;
  if (value === null || typeof value !== "object") return MAX_NUMBER_BYTES;
  let bytes = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      bytes += boundJsonBytes(item, limit) + 1;
      if (bytes > limit) break;
    }
    return bytes;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    bytes += key.length * MAX_BYTES_PER_UNIT + 4 + boundJsonBytes(object[key], limit);
    if (bytes > limit) break;
  }
  return bytes;
}

function toEpochMs(timestamp: string | number | undefined): number | undefined {
  if (timestamp === undefined) return undefined;
  return typeof timestamp === "number" ? timestamp : Date.parse(timestamp);
}

function schemaIssues(raw: unknown, index: number): { input: EventInput } | { details: ErrorDetail[] } {
  // The compiled check passes the parsed JSON itself: no copy of the event is made.
  if (matchesEventSchema(raw)) return { input: raw as EventInput };
  const parsed = eventInputSchema.safeParse(raw);
  if (parsed.success) return { input: parsed.data };
  return {
    details: parsed.error.issues.map((issue) => ({
      index,
      path: describePath(issue.path, issue.code === "unrecognized_keys" ? issue.keys : []),
      message: issue.message,
    })),
  };
}

/**
 * Validates one raw event; returns the event or the problems, each naming its field.
 * Checks beyond the schema: time range, properties depth and size, and (with
 * `limits.checkText`) text PostgreSQL cannot store.
 */
export function validateEvent(
  raw: unknown,
  index: number,
  limits: ValidationLimits,
): { ok: true; event: ValidEvent } | { ok: false; details: ErrorDetail[] } {
  const checked = schemaIssues(raw, index);
  if ("details" in checked) return { ok: false, details: checked.details };
  const details: ErrorDetail[] = [];
  const { input } = checked;
  const timestamp = toEpochMs(input.timestamp);
  let idTime: number | undefined;
  if (timestamp !== undefined) {
    if (timestamp > limits.now + limits.maxFutureMs) {
      details.push({ index, path: "timestamp", message: "is more than 5 minutes in the future" });
    } else if (timestamp < limits.now - limits.retentionMs) {
      details.push({ index, path: "timestamp", message: "is older than the retention period" });
    }
  } else if (input.event_id !== undefined) {
    // an id's time out of range is no error: the event then takes the receive time
    const time = uuidV7Time(input.event_id);
    if (
      time !== undefined &&
      time <= limits.now + limits.maxFutureMs &&
      time >= limits.now - limits.retentionMs
    )
      idTime = time;
  }
  if (input.properties !== undefined) {
    if (measureDepth(input.properties, MAX_PROPERTIES_DEPTH) > MAX_PROPERTIES_DEPTH) {
      details.push({
        index,
        path: "properties",
        message: `nests deeper than ${MAX_PROPERTIES_DEPTH} levels`,
      });
    } else if (boundJsonBytes(input.properties, limits.maxPropertiesBytes) > limits.maxPropertiesBytes) {
      const bytes = Buffer.byteLength(JSON.stringify(input.properties));
      if (bytes > limits.maxPropertiesBytes) {
        details.push({
          index,
          path: "properties",
          message: `is ${bytes} bytes, more than the limit of ${limits.maxPropertiesBytes}`,
        });
      }
    }
  }
  if (limits.checkText) {
    // the free-text fields; the others' patterns admit no such text
    for (const field of ["user_id", "session_id", "properties"] as const) {
      const path = findUnstorableText(input[field], field);
      if (path !== undefined) details.push({ index, path, message: UNSTORABLE_TEXT_MESSAGE });
    }
  }
  if (details.length > 0) return { ok: false, details };
  return { ok: true, event: idTime === undefined ? { input, timestamp } : { input, timestamp, idTime } };
}

function describePath(path: PropertyKey[], unknownKeys: string[]): string {
  const base = path.map(String).join(".");
  if (unknownKeys.length === 0) return base || "(event)";
  return unknownKeys.map((key) => (base ? `${base}.${key}` : key)).join(",");
}

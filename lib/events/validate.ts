import { eventInputSchema, MAX_PROPERTIES_DEPTH, type EventInput } from "./schema";
import type { ErrorDetail } from "../errors";

export interface ValidationLimits {
  now: number;
  maxFutureMs: number;
  retentionMs: number;
  maxPropertiesBytes: number;
}

export interface ValidEvent {
  input: EventInput;
  timestamp: number | undefined;
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

function toEpochMs(timestamp: string | number | undefined): number | undefined {
  if (timestamp === undefined) return undefined;
  return typeof timestamp === "number" ? timestamp : Date.parse(timestamp);
}

/**
 * Validates one raw event; returns the event or the problems, each naming its field.
 * Checks beyond the schema: time range, properties depth and size.
 */
export function validateEvent(
  raw: unknown,
  index: number,
  limits: ValidationLimits,
): { ok: true; event: ValidEvent } | { ok: false; details: ErrorDetail[] } {
  const parsed = eventInputSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      details: parsed.error.issues.map((issue) => ({
        index,
        path: describePath(issue.path, issue.code === "unrecognized_keys" ? issue.keys : []),
        message: issue.message,
      })),
    };
  }
  const details: ErrorDetail[] = [];
  const input = parsed.data;
  const timestamp = toEpochMs(input.timestamp);
  if (timestamp !== undefined) {
    if (timestamp > limits.now + limits.maxFutureMs) {
      details.push({ index, path: "timestamp", message: "is more than 5 minutes in the future" });
    } else if (timestamp < limits.now - limits.retentionMs) {
      details.push({ index, path: "timestamp", message: "is older than the retention period" });
    }
  }
  if (input.properties !== undefined) {
    if (measureDepth(input.properties, MAX_PROPERTIES_DEPTH) > MAX_PROPERTIES_DEPTH) {
      details.push({
        index,
        path: "properties",
        message: `nests deeper than ${MAX_PROPERTIES_DEPTH} levels`,
      });
    } else {
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
  return details.length > 0 ? { ok: false, details } : { ok: true, event: { input, timestamp } };
}

function describePath(path: PropertyKey[], unknownKeys: string[]): string {
  const base = path.map(String).join(".");
  if (unknownKeys.length === 0) return base || "(event)";
  return unknownKeys.map((key) => (base ? `${base}.${key}` : key)).join(",");
}

// Shape check of a stored detector state, so a state saved by another detector version (or
// damaged) is recognised and replaced instead of crashing the worker on its first use.
import type { DetectorState } from "./detector";

type Shape =
  | "number"
  | "numbers"
  | { readonly fields: Readonly<Record<string, Shape>> }
  | { readonly nullable: Shape }
  | { readonly optional: Shape };

const record = (fields: Record<string, Shape>): Shape => ({ fields });
const nullable = (shape: Shape): Shape => ({ nullable: shape });
const optional = (shape: Shape): Shape => ({ optional: shape });

const RECORDS = record({ smooth: "numbers", low: "numbers", high: "numbers" });

const DETECTOR = record({
  version: "number",
  count: "number",
  lastTimestamp: "number",
  sinceAlarm: "number",
  forecast: nullable(
    record({
      level: "number",
      levelErrVar: "number",
      seasonLevel: "number",
      season: "numbers",
      seasonSeen: "numbers",
      seasonErrVar: "number",
      firstTimestamp: "number",
    }),
  ),
  records: nullable(RECORDS),
  spikeTail: record({ counts: "numbers", total: "number", weight: "number", top: optional("number") }),
  weekly: nullable(record({ mean: "numbers", seen: "numbers", errVar: "number", firstTimestamp: "number" })),
  weeklyRecords: nullable(RECORDS),
  noisePeak: optional("number"),
  context: optional(
    nullable(
      record({
        low: "number",
        high: "number",
        recent: "numbers",
        seen: "numbers",
        seenOld: "numbers",
        age: "number",
        short: "number",
        mean: "number",
        variance: "number",
      }),
    ),
  ),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function matches(value: unknown, shape: Shape): boolean {
  if (shape === "number") return typeof value === "number" && Number.isFinite(value);
  if (shape === "numbers") {
    return Array.isArray(value) && value.every((x) => typeof x === "number" && Number.isFinite(x));
  }
  if ("nullable" in shape) return value === null || matches(value, shape.nullable);
  if ("optional" in shape) return value === undefined || matches(value, shape.optional);
  if (!isRecord(value)) return false;
  return Object.entries(shape.fields).every(([key, inner]) => matches(value[key], inner));
}

/** Whether `value` is a detector state of `version` with every field of the right type. */
export function isDetectorState(value: unknown, version: number): value is DetectorState {
  return isRecord(value) && value.version === version && matches(value, DETECTOR);
}

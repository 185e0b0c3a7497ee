import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { measureDepth, validateEvent, type ValidationLimits } from "./validate";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const limits: ValidationLimits = {
  now: NOW,
  maxFutureMs: 5 * 60_000,
  retentionMs: 30 * 86_400_000,
  maxPropertiesBytes: 1024,
};

function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { child: value };
  return value;
}

describe("validateEvent", () => {
  it("accepts a minimal event", () => {
    const result = validateEvent({ event_type: "page_view" }, 0, limits);
    expect(result.ok).toBe(true);
  });

  it("accepts every optional field", () => {
    const result = validateEvent(
      {
        event_type: "purchase",
        event_id: "order-42:line.1",
        timestamp: "2026-06-01T11:59:00.000Z",
        user_id: "u1",
        session_id: "s1",
        region: "eu-west",
        value: 12.5,
        properties: { sku: "A", tags: ["x"] },
      },
      0,
      limits,
    );
    expect(result).toMatchObject({ ok: true, event: { timestamp: NOW - 60_000 } });
  });

  it("accepts epoch milliseconds and ISO with an offset", () => {
    expect(validateEvent({ event_type: "a", timestamp: NOW - 1000 }, 0, limits)).toMatchObject({
      ok: true,
      event: { timestamp: NOW - 1000 },
    });
    expect(
      validateEvent({ event_type: "a", timestamp: "2026-06-01T13:59:00+02:00" }, 0, limits),
    ).toMatchObject({
      ok: true,
      event: { timestamp: NOW - 60_000 },
    });
  });

  const rejections: [string, Record<string, unknown>, string][] = [
    ["missing event_type", {}, "event_type"],
    ["uppercase event_type", { event_type: "PageView" }, "event_type"],
    ["event_type too long", { event_type: "a".repeat(65) }, "event_type"],
    ["event_type with a space", { event_type: "page view" }, "event_type"],
    ["numeric event_type", { event_type: 5 }, "event_type"],
    ["event_id with a slash", { event_type: "a", event_id: "a/b" }, "event_id"],
    ["event_id too long", { event_type: "a", event_id: "x".repeat(129) }, "event_id"],
    ["timestamp not a date", { event_type: "a", timestamp: "yesterday" }, "timestamp"],
    ["timestamp without offset", { event_type: "a", timestamp: "2026-06-01T11:00:00" }, "timestamp"],
    ["timestamp fractional ms", { event_type: "a", timestamp: 1.5 }, "timestamp"],
    ["timestamp in the future", { event_type: "a", timestamp: NOW + 6 * 60_000 }, "timestamp"],
    ["timestamp older than retention", { event_type: "a", timestamp: NOW - 31 * 86_400_000 }, "timestamp"],
    ["user_id too long", { event_type: "a", user_id: "u".repeat(129) }, "user_id"],
    ["empty session_id", { event_type: "a", session_id: "" }, "session_id"],
    ["region too long", { event_type: "a", region: "r".repeat(65) }, "region"],
    ["value as a string", { event_type: "a", value: "12" }, "value"],
    ["properties as an array", { event_type: "a", properties: [1, 2] }, "properties"],
    ["properties too deep", { event_type: "a", properties: nest(11) }, "properties"],
    ["properties too large", { event_type: "a", properties: { blob: "x".repeat(2000) } }, "properties"],
    ["unknown field", { event_type: "a", colour: "red" }, "colour"],
  ];

  it.each(rejections)("rejects %s, naming the field", (_name, raw, field) => {
    const result = validateEvent(raw, 3, limits);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details.map((detail) => detail.path)).toContain(field);
    expect(result.details.every((detail) => detail.index === 3)).toBe(true);
  });

  it("accepts properties nested exactly 10 deep and rejects 11", () => {
    expect(validateEvent({ event_type: "a", properties: nest(10) }, 0, limits).ok).toBe(true);
    expect(validateEvent({ event_type: "a", properties: nest(11) }, 0, limits).ok).toBe(false);
  });

  it("never throws and always names a field for arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = validateEvent(raw, 0, limits);
        if (!result.ok) expect(result.details.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("measureDepth", () => {
  it.each([
    [1, 0],
    [{}, 1],
    [{ a: { b: 1 } }, 2],
    [{ a: [{ b: 1 }] }, 3],
  ])("depth of %j is %i", (value, depth) => {
    expect(measureDepth(value, 100)).toBe(depth);
  });
});

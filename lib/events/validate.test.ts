import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventInputSchema } from "./schema";
import {
  boundJsonBytes,
  matchesEventSchema,
  measureDepth,
  validateEvent,
  type ValidationLimits,
} from "./validate";

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
  it("refuses text PostgreSQL cannot store in the free-text fields, naming where (with checkText)", () => {
    const checking = { ...limits, checkText: true };
    const refused = (event: Record<string, unknown>) => {
      const result = validateEvent({ event_type: "a", ...event }, 3, checking);
      return result.ok ? [] : result.details.map(({ index, path }) => `${index}:${path}`);
    };
    expect(refused({ user_id: "u\u0000" })).toEqual(["3:user_id"]);
    expect(refused({ session_id: "\ud800" })).toEqual(["3:session_id"]);
    expect(refused({ properties: { a: { b: ["ok", "x\u0000"] } } })).toEqual(["3:properties.a.b[1]"]);
    expect(refused({ properties: { "k\u0000": 1 } })).toEqual(['3:properties["k\\u0000"]']);
    expect(refused({ user_id: "😀 é", properties: { 日本: "😀" } })).toEqual([]);
    // without checkText (a body with no \u escape cannot hold such text) nothing is walked
    expect(validateEvent({ event_type: "a", user_id: "u\u0000" }, 0, limits).ok).toBe(true);
  });

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
    ["value past 1e15 (a window's sum would overflow)", { event_type: "a", value: 1.7e308 }, "value"],
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

describe("matchesEventSchema (the compiled check)", () => {
  // near-valid events: each field drawn from values of the right kind and of the wrong one,
  // at the edges zod draws its lines (lengths of astral text, ISO offsets, integers)
  const text = fc.oneof(
    fc.string({ maxLength: 140 }),
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.string({
      unit: fc.constantFrom("a", "Z", "0", "_", ".", "-", ":", "/", " ", "é", "😀"),
      maxLength: 130,
    }),
    fc.constantFrom("", "x".repeat(64), "x".repeat(65), "x".repeat(128), "x".repeat(129), "😀".repeat(64)),
  );
  const timestamp = fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      "2026-06-01T12:00:00+02:00",
      "2026-06-01T12:00:00",
      "2026-02-30T12:00:00Z",
      "2026-06-01 12:00:00Z",
      "2026-06-01T12:00:00.123456Z",
    ),
    fc.integer(),
    fc.double(),
    fc.constantFrom(-0, 2 ** 53, 2 ** 53 - 1, 1.5),
  );
  const anyValue = fc.oneof(
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, anyValue);
  const event = fc.record(
    {
      event_type: field(text),
      event_id: field(text),
      timestamp: field(timestamp),
      user_id: field(text),
      session_id: field(text),
      region: field(text),
      value: field(fc.double()),
      properties: field(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }))),
      colour: fc.string(),
    },
    { requiredKeys: [] },
  );

  it("agrees with the zod schema on every event, valid or not", () => {
    fc.assert(
      fc.property(fc.oneof(event, fc.anything()), (raw) => {
        expect(matchesEventSchema(raw)).toBe(eventInputSchema.safeParse(raw).success);
      }),
      { numRuns: 5000 },
    );
  });

  it("agrees at the length limits (both count characters, not UTF-16 units)", () => {
    for (const user_id of ["x".repeat(128), "😀".repeat(64), "😀".repeat(65), "x".repeat(129)]) {
      const raw = { event_type: "a", user_id };
      expect(matchesEventSchema(raw)).toBe(eventInputSchema.safeParse(raw).success);
    }
    expect(matchesEventSchema({ event_type: "a", user_id: "😀".repeat(128) })).toBe(true);
    expect(matchesEventSchema({ event_type: "a", user_id: "😀".repeat(129) })).toBe(false);
  });
});

describe("boundJsonBytes", () => {
  it("is never below the real UTF-8 size of the JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(boundJsonBytes(value, Infinity)).toBeGreaterThanOrEqual(
          Buffer.byteLength(JSON.stringify(value)),
        );
      }),
      { numRuns: 2000 },
    );
    const worst = {
      "\u0000": "\u0001\ud800",
      n: -0.0000012345678901234567,
      m: -1.7976931348623157e308,
      s: "é😀",
    };
    expect(boundJsonBytes(worst, Infinity)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(worst)));
  });
});

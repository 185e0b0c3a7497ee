import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findUnstorableText, isStorableText, mayHoldUnstorableText } from "./storable-text";

describe("isStorableText", () => {
  it("refuses a NUL character and a lone surrogate, and takes a surrogate pair", () => {
    expect(isStorableText("plain text, é, 日本")).toBe(true);
    expect(isStorableText("😀")).toBe(true);
    expect(isStorableText("a\u0000b")).toBe(false);
    expect(isStorableText("a\ud800")).toBe(false);
    expect(isStorableText("\udc00a")).toBe(false);
    expect(isStorableText("😀".slice(0, 1))).toBe(false);
  });
});

describe("findUnstorableText", () => {
  it("names the first key or string that cannot be stored", () => {
    expect(findUnstorableText({ page: "/", n: 1, list: ["a", { b: null }] }, "properties")).toBeUndefined();
    expect(findUnstorableText("a\u0000", "user_id")).toBe("user_id");
    expect(findUnstorableText({ page: "a\u0000" }, "properties")).toBe("properties.page");
    expect(findUnstorableText({ list: ["ok", "\ud800"] }, "properties")).toBe("properties.list[1]");
    expect(findUnstorableText({ "a\u0000": 1 }, "properties")).toBe('properties["a\\u0000"]');
    expect(findUnstorableText({ nested: { "with space": "\udc00" } }, "properties")).toBe(
      'properties.nested["with space"]',
    );
    expect(findUnstorableText({ source: { user_agent: "x\u0000" } }, "")).toBe("source.user_agent");
  });

  it("walks a value nested deeper than the call stack goes", () => {
    let deep: unknown = "x\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorableText(deep, "v")).toBe(`v${"[0]".repeat(200_000)}`);
  });

  it("finds nothing in values without such text", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        const text = JSON.stringify(value);
        if (!text.includes("\\u0000") && !/\\ud[89a-f]/i.test(text))
          expect(findUnstorableText(value, "v")).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

describe("mayHoldUnstorableText", () => {
  it("is true of the JSON of every value holding text that cannot be stored (the skip is safe)", () => {
    const anyString = fc.string({ unit: "binary", maxLength: 8 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        anyString,
        fc.integer(),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(anyString, tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (generated) => {
        if (findUnstorableText(generated, "v") !== undefined)
          expect(mayHoldUnstorableText(JSON.stringify(generated))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("is false of a body without escapes", () => {
    expect(mayHoldUnstorableText(JSON.stringify({ event_type: "click", properties: { p: "é😀" } }))).toBe(
      false,
    );
    expect(mayHoldUnstorableText('{"a":"\\u00e9"}')).toBe(true);
  });
});

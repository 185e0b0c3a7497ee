import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readLimitedText } from "../http/body";
import { detectFormat, parseEvents } from "./parse-body";

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof AppError ? error.code : "other";
  }
  return undefined;
}

describe("detectFormat", () => {
  it.each([
    ["application/json", "json"],
    ["application/json; charset=utf-8", "json"],
    [null, "json"],
    ["application/x-ndjson", "ndjson"],
  ])("%s is %s", (header, format) => {
    expect(detectFormat(header)).toBe(format);
  });

  it("rejects other media types with 415", () => {
    expect(codeOf(() => detectFormat("text/plain"))).toBe("unsupported_media_type");
  });
});

describe("parseEvents", () => {
  it("reads one object, an array and NDJSON", () => {
    expect(parseEvents('{"a":1}', "json")).toEqual({ items: [{ a: 1 }], single: true });
    expect(parseEvents('[{"a":1},{"a":2}]', "json")).toEqual({ items: [{ a: 1 }, { a: 2 }], single: false });
    expect(parseEvents('{"a":1}\n\n{"a":2}\n', "ndjson").items).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("rejects malformed JSON and NDJSON naming the line", () => {
    expect(codeOf(() => parseEvents("{", "json"))).toBe("invalid_json");
    expect(() => parseEvents('{"a":1}\nnope', "ndjson")).toThrow(/Line 2/);
  });

  it("rejects a scalar body", () => {
    expect(codeOf(() => parseEvents("42", "json"))).toBe("validation_failed");
  });

  it("round-trips any array of objects", () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.jsonValue())), (items) => {
        expect(parseEvents(JSON.stringify(items), "json").items).toEqual(JSON.parse(JSON.stringify(items)));
        const ndjson = items.map((item) => JSON.stringify(item)).join("\n");
        expect(parseEvents(ndjson, "ndjson").items).toEqual(JSON.parse(JSON.stringify(items)));
      }),
    );
  });
});

describe("readLimitedText (the ingest route's body reader)", () => {
  it("reads a body within the limit", async () => {
    const request = new Request("http://x/", { method: "POST", body: "hello" });
    await expect(readLimitedText(request, 10)).resolves.toBe("hello");
  });

  it("stops at the limit with 413 even without Content-Length", async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x".repeat(8)));
        controller.enqueue(new TextEncoder().encode("x".repeat(8)));
        controller.close();
      },
    });
    const request = new Request("http://x/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readLimitedText(request, 10)).rejects.toMatchObject({ code: "payload_too_large" });
  });
});

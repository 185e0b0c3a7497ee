import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { decodeIdCursor, decodeTimeIdCursor, encodeIdCursor, encodeTimeIdCursor, keysetPage } from "./cursor";

describe("list cursors", () => {
  it("give back the sort key they were made from", () => {
    const time = new Date("2026-11-26T10:00:00.123Z");
    expect(decodeTimeIdCursor(encodeTimeIdCursor(time, "0190-abc"))).toEqual({ time, id: "0190-abc" });
    expect(decodeIdCursor(encodeIdCursor(42))).toBe(42);
  });

  it("reject what this API did not issue with a 400 naming the cursor", () => {
    const forged = [
      "not base64 json",
      Buffer.from('{"a":1}').toString("base64url"),
      Buffer.from('["yesterday","x"]').toString("base64url"),
      encodeIdCursor(42), // an id cursor where a (time, id) one belongs
    ];
    for (const cursor of forged) {
      expect(() => decodeTimeIdCursor(cursor)).toThrow(AppError);
    }
    const notUuid = encodeTimeIdCursor(new Date(), "1; drop table");
    expect(() => decodeTimeIdCursor(notUuid, { uuidId: true })).toThrow(/Invalid cursor/);
    expect(() => decodeIdCursor(encodeTimeIdCursor(new Date(), "x"))).toThrow(AppError);
    let caught: unknown;
    try {
      decodeIdCursor("%%%");
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "invalid_query", details: [{ path: "cursor" }] });
  });
});

describe("keysetPage", () => {
  it("keeps the first `limit` rows and gives a cursor after the last only when a row follows", () => {
    const cursorOf = (row: number) => `after-${row}`;
    expect(keysetPage([5, 4, 3], 2, cursorOf)).toEqual({ page: [5, 4], nextCursor: "after-4" });
    expect(keysetPage([5, 4], 2, cursorOf)).toEqual({ page: [5, 4], nextCursor: null });
    expect(keysetPage([], 2, cursorOf)).toEqual({ page: [], nextCursor: null });
  });
});

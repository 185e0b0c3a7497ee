import { describe, expect, it } from "vitest";
import { csvField, csvRow } from "./csv";

describe("csvField", () => {
  it.each([
    { value: null, expected: "" },
    { value: undefined, expected: "" },
    { value: 12.5, expected: "12.5" },
    { value: -3, expected: "-3" },
    { value: false, expected: "false" },
    { value: "plain", expected: "plain" },
    { value: "a,b", expected: '"a,b"' },
    { value: 'say "hi"', expected: '"say ""hi"""' },
    { value: "two\nlines", expected: '"two\nlines"' },
    { value: "=SUM(A1)", expected: "'=SUM(A1)" },
    { value: "-1+1", expected: "'-1+1" },
    { value: { page: "/a,b" }, expected: '"{""page"":""/a,b""}"' },
  ])("writes $value as $expected", ({ value, expected }) => {
    expect(csvField(value)).toBe(expected);
  });

  it("ends rows with CRLF", () => {
    expect(csvRow(["a", 1, null])).toBe("a,1,\r\n");
  });
});

import { describe, expect, it } from "vitest";
import { classifyResponse } from "./classify-response";

describe("webhook response classification", () => {
  it.each([
    [200, "delivered"],
    [204, "delivered"],
    [301, "permanent"],
    [400, "permanent"],
    [401, "permanent"],
    [404, "permanent"],
    [410, "permanent"],
    [408, "retry"],
    [429, "retry"],
    [500, "retry"],
    [503, "retry"],
    [null, "retry"],
  ] as const)("HTTP %s → %s", (status, verdict) => {
    expect(classifyResponse(status)).toBe(verdict);
  });
});

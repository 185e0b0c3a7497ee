import { describe, expect, it } from "vitest";
import { ADVISORY_LOCK_KEYS } from "./advisory-locks";

describe("ADVISORY_LOCK_KEYS", () => {
  it("gives every feature a key of its own", () => {
    const keys = Object.values(ADVISORY_LOCK_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

import { describe, expect, it } from "vitest";
import { rollupBinSeconds } from "./rollup-sql";

describe("rollupBinSeconds", () => {
  it("is the largest bin every window size is made of", () => {
    expect(rollupBinSeconds([300, 60])).toBe(60);
    expect(rollupBinSeconds([300])).toBe(300);
    expect(rollupBinSeconds([3600, 300, 60])).toBe(60);
    expect(rollupBinSeconds([90, 60])).toBe(30);
    expect(rollupBinSeconds([7, 5])).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { deleteInChunks, nextChunkRows } from "./delete-in-chunks";

describe("nextChunkRows", () => {
  const options = { maxRows: 10_000, targetMs: 1_000 };
  it.each([
    { rows: 10, elapsedMs: 5, next: 100, why: "a fast chunk grows at most tenfold" },
    { rows: 1_000, elapsedMs: 500, next: 2_000, why: "sized for the target duration" },
    { rows: 5_000, elapsedMs: 1, next: 10_000, why: "never past maxRows" },
    { rows: 100, elapsedMs: 3_500, next: 28, why: "a slow chunk shrinks" },
    { rows: 10, elapsedMs: 60_000, next: 1, why: "never below one row" },
    { rows: 10, elapsedMs: 0, next: 100, why: "a zero duration counts as 1 ms" },
  ])("$why", ({ rows, elapsedMs, next }) => {
    expect(nextChunkRows(rows, elapsedMs, options)).toBe(next);
  });
});

describe("deleteInChunks", () => {
  /** A table of `rows` rows, each statement deleting up to its limit. */
  function table(rows: number) {
    const limits: number[] = [];
    let left = rows;
    const deleteChunk = async (limit: number) => {
      limits.push(limit);
      const count = Math.min(limit, left);
      left -= count;
      return count;
    };
    return { limits, deleteChunk, left: () => left };
  }

  it("deletes until a statement takes fewer rows than its limit, never more than maxRows at once", async () => {
    const rows = table(25);
    const result = await deleteInChunks(rows.deleteChunk, {
      maxRows: 4,
      targetMs: 1_000,
      stopped: () => false,
    });
    expect(result).toEqual({ deleted: 25, interrupted: false });
    expect(rows.left()).toBe(0);
    expect(rows.limits).toEqual([4, 4, 4, 4, 4, 4, 4]);
  });

  it("starts small and grows chunks that are quick up to maxRows", async () => {
    const rows = table(1_500);
    const result = await deleteInChunks(rows.deleteChunk, {
      maxRows: 1_000,
      targetMs: 60_000,
      stopped: () => false,
    });
    expect(result).toEqual({ deleted: 1_500, interrupted: false });
    expect(rows.limits).toEqual([10, 100, 1_000, 1_000]);
  });

  it("stops between statements when asked", async () => {
    const rows = table(100);
    let statements = 0;
    const result = await deleteInChunks(
      async (limit) => {
        statements++;
        return rows.deleteChunk(limit);
      },
      { maxRows: 10, targetMs: 1_000, stopped: () => statements >= 2 },
    );
    expect(result).toEqual({ deleted: 20, interrupted: true });
    expect(rows.left()).toBe(80);
  });
});

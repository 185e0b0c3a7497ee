import { describe, expect, it } from "vitest";
import { createPartitionDays } from "./partition-days";

const DAY = 86_400_000;

describe("createPartitionDays", () => {
  it("asks once for the span of the days not seen yet, then never again for them", async () => {
    const calls: [number, number][] = [];
    const ensure = createPartitionDays(async (from, to) => {
      calls.push([from, to]);
    });
    await ensure([10 * DAY + 5, 12 * DAY + 1, 10 * DAY + 7]);
    await ensure([11 * DAY, 12 * DAY]); // 11 was inside the span, but only 10 and 12 are known
    await ensure([10 * DAY, 11 * DAY + 3, 12 * DAY + 9]);
    await ensure([]);
    expect(calls).toEqual([
      [10 * DAY, 12 * DAY],
      [11 * DAY, 11 * DAY],
    ]);
  });

  it("remembers a day only once its partition was created", async () => {
    let fail = true;
    const calls: number[] = [];
    const ensure = createPartitionDays(async (from) => {
      calls.push(from);
      if (fail) throw new Error("database down");
    });
    await expect(ensure([3 * DAY])).rejects.toThrow("database down");
    fail = false;
    await ensure([3 * DAY]);
    await ensure([3 * DAY]);
    expect(calls).toEqual([3 * DAY, 3 * DAY]);
  });
});

import { describe, expect, it } from "vitest";
import { ReplayBuffer } from "./replay-buffer";

function filled(count: number, capacity = 10, maxAgeMs = 60_000) {
  const buffer = new ReplayBuffer(capacity, maxAgeMs);
  for (let sequence = 1; sequence <= count; sequence++) buffer.push(sequence, `f${sequence}`, 1000);
  return buffer;
}

describe("ReplayBuffer", () => {
  it.each([
    { name: "nothing missed", after: 5, expected: [] },
    { name: "the last two", after: 3, expected: ["f4", "f5"] },
    { name: "everything held", after: 0, expected: ["f1", "f2", "f3", "f4", "f5"] },
  ])("replays $name", ({ after, expected }) => {
    expect(filled(5).since(after, 5, 1000)).toEqual(expected);
  });

  it("cannot resume once the frames after the id were evicted by capacity", () => {
    const buffer = filled(15, 10); // holds 6..15
    expect(buffer.size).toBe(10);
    expect(buffer.since(5, 15, 1000)).toEqual([
      "f6",
      "f7",
      "f8",
      "f9",
      "f10",
      "f11",
      "f12",
      "f13",
      "f14",
      "f15",
    ]);
    expect(buffer.since(4, 15, 1000)).toBeUndefined();
  });

  it("forgets frames older than the maximum age", () => {
    const buffer = new ReplayBuffer(100, 5_000);
    buffer.push(1, "old", 0);
    buffer.push(2, "new", 4_000);
    expect(buffer.since(0, 2, 6_000)).toBeUndefined();
    expect(buffer.since(1, 2, 6_000)).toEqual(["new"]);
  });

  it("refuses an id from the future (a restarted process)", () => {
    expect(filled(3).since(7, 3, 1000)).toBeUndefined();
  });
});

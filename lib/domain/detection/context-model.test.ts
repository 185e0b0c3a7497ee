import { describe, expect, it } from "vitest";

import { createContextModel, scoreContextNovelty, updateContextNovelty } from "./context-model";

/** A repeating 12-step sawtooth over levels 0..11 of a 0..110 range. */
const pattern = (i: number): number => 10 * (i % 12);

function feed(values: readonly number[]) {
  const model = createContextModel(values[0] ?? 0);
  const raw: number[] = [];
  const surprise: number[] = [];
  for (const v of values.slice(1)) {
    const r = updateContextNovelty(model, v);
    raw.push(r);
    surprise.push(scoreContextNovelty(model, r));
  }
  return { model, raw, surprise };
}

describe("context model", () => {
  it("scores a repeated pattern as not novel once learned", () => {
    const { raw, surprise } = feed(Array.from({ length: 2000 }, (_, i) => pattern(i)));
    expect(raw.slice(100).every((r) => r === 0)).toBe(true);
    expect(Math.max(...surprise.slice(100))).toBe(0);
  });

  it("scores a never-seen sequence of levels high", () => {
    const values = Array.from({ length: 2000 }, (_, i) => pattern(i));
    // Within the known range, but in an order never seen: the sawtooth runs backwards.
    for (let i = 1500; i < 1512; i++) values[i] = 10 * (11 - (i % 12));
    const { raw, surprise } = feed(values);
    const burst = raw.slice(1499, 1511);
    expect(Math.max(...burst)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...surprise.slice(1499, 1515))).toBeGreaterThan(10);
    expect(Math.max(...surprise.slice(100, 1499))).toBe(0);
  });

  it("continues identically after a JSON round trip", () => {
    const values = Array.from({ length: 12_000 }, (_, i) => pattern(i) + ((i * 7919) % 13));
    const model = createContextModel(values[0] ?? 0);
    const out: number[] = [];
    let restored = model;
    values.slice(1).forEach((v, i) => {
      if (i === 5000) restored = JSON.parse(JSON.stringify(restored)) as typeof model;
      out.push(scoreContextNovelty(restored, updateContextNovelty(restored, v)));
    });
    const { surprise } = feed(values);
    expect(out).toEqual(surprise);
  });
});

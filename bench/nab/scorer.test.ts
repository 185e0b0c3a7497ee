import { describe, expect, it } from "vitest";

import {
  buildLayout,
  findBestThreshold,
  getProbationaryLength,
  parseNabTimestamp,
  PROFILES,
  scaleSigmoid,
  scoreCorpus,
  scoreFile,
  type Profile,
} from "./scorer";

const MINUTE = 60_000;
const standard = PROFILES.find((p) => p.name === "standard") as Profile;
const timestamps = Array.from({ length: 1000 }, (_, i) => i * MINUTE);
const layout = buildLayout("cat/one.csv", timestamps, [[400 * MINUTE, 499 * MINUTE]]);

function scoresWith(hits: Record<number, number>, length = 1000): Float64Array {
  const scores = new Float64Array(length);
  for (const [row, score] of Object.entries(hits)) scores[Number(row)] = score;
  return scores;
}

describe("NAB scorer", () => {
  it("uses 15% of the rows as probation, capped at 750", () => {
    expect(getProbationaryLength(1000)).toBe(150);
    expect(getProbationaryLength(4032)).toBe(604);
    expect(getProbationaryLength(10320)).toBe(750);
  });

  it("parses NAB timestamps with and without fractional seconds as UTC", () => {
    expect(parseNabTimestamp("2014-04-10 07:15:00.000000")).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp("2014-04-10 07:15:00")).toBe(Date.UTC(2014, 3, 10, 7, 15));
  });

  it("scores the null detector 0 and the perfect detector 100 in every profile", () => {
    const second = buildLayout("cat/two.csv", timestamps, [
      [300 * MINUTE, 349 * MINUTE],
      [700 * MINUTE, 799 * MINUTE],
    ]);
    const layouts = [layout, second];
    for (const profile of PROFILES) {
      const nullScores = [new Float64Array(1000), new Float64Array(1000)];
      expect(scoreCorpus(layouts, nullScores, profile).normalized).toBeCloseTo(0, 10);
      const perfect = [scoresWith({ 400: 1 }), scoresWith({ 300: 1, 700: 1 })];
      expect(scoreCorpus(layouts, perfect, profile).normalized).toBeCloseTo(100, 10);
    }
  });

  it("credits a detection at a window's left edge with A_TP and later ones less", () => {
    expect(scoreFile(layout, scoresWith({ 400: 1 }), 0.5, standard).raw).toBeCloseTo(standard.tp, 10);
    const middle = scoreFile(layout, scoresWith({ 450: 1 }), 0.5, standard).raw;
    expect(middle).toBeCloseTo(scaleSigmoid(-50 / 100) / scaleSigmoid(-1), 10);
    const rightEdge = scoreFile(layout, scoresWith({ 499: 1 }), 0.5, standard).raw;
    expect(rightEdge).toBeGreaterThan(0);
    expect(rightEdge).toBeLessThan(0.1);
  });

  it("counts only the earliest detection in a window", () => {
    const result = scoreFile(layout, scoresWith({ 420: 1, 430: 1, 480: 1 }), 0.5, standard);
    expect(result.detected).toBe(1);
    expect(result.raw).toBeCloseTo(scaleSigmoid(-80 / 100) / scaleSigmoid(-1), 10);
  });

  it("charges A_FP for a false positive far after a window, less just after it", () => {
    const far = scoreFile(layout, scoresWith({ 400: 1, 900: 1 }), 0.5, standard).raw;
    expect(far).toBeCloseTo(standard.tp - standard.fp, 10);
    const near = scoreFile(layout, scoresWith({ 400: 1, 501: 1 }), 0.5, standard).raw;
    expect(standard.tp - near).toBeGreaterThan(0);
    expect(standard.tp - near).toBeLessThan(0.2 * standard.fp);
  });

  it("charges the full A_FP before the first window and ignores the probationary period", () => {
    const before = scoreFile(layout, scoresWith({ 200: 1, 400: 1 }), 0.5, standard);
    expect(before.raw).toBeCloseTo(standard.tp - standard.fp, 10);
    const probation = scoreFile(layout, scoresWith({ 100: 1, 400: 1 }), 0.5, standard);
    expect(probation.raw).toBeCloseTo(standard.tp, 10);
    expect(probation.falsePositives).toBe(0);
  });

  it("charges A_FN for a missed window", () => {
    const lowFn = PROFILES.find((p) => p.name === "reward_low_FN_rate") as Profile;
    expect(scoreFile(layout, new Float64Array(1000), 0.5, lowFn).raw).toBe(-lowFn.fn);
  });

  it("picks the threshold that maximises the total over the set", () => {
    // 0.9 fires on 3 far false positives; 0.8 adds the window; 0.7 adds 20 more false positives.
    const hits: Record<number, number> = { 200: 0.9, 250: 0.9, 900: 0.9, 400: 0.8 };
    for (let i = 0; i < 20; i++) hits[600 + i * 10] = 0.7;
    const { threshold, raw } = findBestThreshold([layout], [scoresWith(hits)], standard);
    expect(threshold).toBe(0.8);
    expect(raw).toBeCloseTo(standard.tp - 3 * standard.fp, 10);
  });
});

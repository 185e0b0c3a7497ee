import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { createDetector, DEFAULT_OPTIONS, type DetectorPoint, type DetectorResult } from "./detector";

const STEP = 5 * 60_000;
const START = Date.UTC(2024, 0, 1);
const ALARM = DEFAULT_OPTIONS.alarmThreshold;

/** Deterministic PRNG so the synthetic series are identical on every run. */
function createRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function buildSeries(
  length: number,
  valueAt: (i: number, noise: number) => number,
  seed = 7,
): DetectorPoint[] {
  const random = createRandom(seed);
  return Array.from({ length }, (_, i) => ({
    timestamp: START + i * STEP,
    value: valueAt(i, gaussian(random)),
  }));
}

function runSeries(points: readonly DetectorPoint[]): DetectorResult[] {
  const detector = createDetector();
  return points.map((p) => detector.update(p));
}

function firstAlarm(results: readonly DetectorResult[], from = 0): number {
  return results.findIndex((r, i) => i >= from && r.score >= ALARM);
}

/** NaN or Infinity anywhere in the state would not survive a JSON round trip. */
function allNumbersFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allNumbersFinite);
  if (value !== null && typeof value === "object") return Object.values(value).every(allNumbersFinite);
  return true;
}

const noisy = (i: number, noise: number): number => 100 + 5 * noise;

describe("createDetector", () => {
  it("flags a single spike when it happens", () => {
    const results = runSeries(buildSeries(1000, (i, n) => noisy(i, n) + (i === 700 ? 60 : 0)));
    expect(firstAlarm(results, DEFAULT_OPTIONS.warmup)).toBe(700);
    expect(results[700]?.direction).toBe("spike");
  });

  it("flags a dip", () => {
    const results = runSeries(buildSeries(1000, (i, n) => noisy(i, n) - (i === 700 ? 60 : 0)));
    expect(firstAlarm(results, DEFAULT_OPTIONS.warmup)).toBe(700);
    expect(results[700]?.direction).toBe("drop");
  });

  it("flags a level shift within a few points", () => {
    const results = runSeries(buildSeries(1000, (i, n) => noisy(i, n) + (i >= 700 ? 30 : 0)));
    const alarm = firstAlarm(results, DEFAULT_OPTIONS.warmup);
    expect(alarm).toBeGreaterThanOrEqual(700);
    expect(alarm).toBeLessThanOrEqual(705);
  });

  it("raises no alarm on a clean daily-seasonal series with noise", () => {
    const daily = (i: number, noise: number): number =>
      200 + 50 * Math.sin((2 * Math.PI * i) / 288) + 4 * noise;
    const results = runSeries(buildSeries(288 * 14, daily, 11));
    const alarms = results.filter((r) => r.score >= ALARM);
    expect(alarms).toHaveLength(0);
    const late = results.slice(288 * 3);
    const meanScore = late.reduce((s, r) => s + r.score, 0) / late.length;
    expect(meanScore).toBeLessThan(0.15);
  });

  it("stays silent during the cold start even on wild input", () => {
    const random = createRandom(3);
    const points = Array.from({ length: DEFAULT_OPTIONS.warmup }, (_, i) => ({
      timestamp: START + i * STEP,
      value: i % 17 === 0 ? 1e6 * random() : random(),
    }));
    expect(runSeries(points).every((r) => r.score === 0)).toBe(true);
  });

  it("resumes from serialized state with identical scores", () => {
    const points = buildSeries(
      3000,
      (i, n) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * n + (i === 2500 ? 40 : 0),
    );
    const reference = runSeries(points).map((r) => r.score);
    const first = createDetector();
    points.slice(0, 1700).forEach((p) => first.update(p));
    const resumed = createDetector(
      {},
      JSON.parse(JSON.stringify(first.getState())) as ReturnType<typeof first.getState>,
    );
    const fromString = createDetector({}, first.serialize());
    const rest = points.slice(1700);
    expect(rest.map((p) => resumed.update(p).score)).toEqual(reference.slice(1700));
    expect(rest.map((p) => fromString.update(p).score)).toEqual(reference.slice(1700));
  });

  it("raises the bar on series whose ordinary noise is often near the alarm level", () => {
    const random = createRandom(5);
    // Heavy-tailed noise: occasional large bursts are normal for this series.
    const points = buildSeries(6000, (i, n) => 100 + 5 * n + (random() < 0.01 ? 40 * random() : 0));
    const alarms = (noiseBar: number): number => {
      const detector = createDetector({ noiseBar });
      return points.filter((p) => detector.update(p).score >= ALARM).length;
    };
    expect(alarms(DEFAULT_OPTIONS.noiseBar)).toBeLessThan(alarms(0));
    const spiky = runSeries(points.map((p, i) => (i === 5000 ? { ...p, value: p.value + 200 } : p)));
    expect(spiky[5000]?.score).toBeGreaterThanOrEqual(ALARM);
  });

  it("resumes from a state saved before the noise bar existed", () => {
    const points = buildSeries(600, noisy);
    const first = createDetector();
    points.slice(0, 300).forEach((p) => first.update(p));
    const legacy = { ...first.getState() };
    delete legacy.noisePeak;
    const resumed = createDetector({}, JSON.stringify(legacy));
    const scores = points.slice(300).map((p) => resumed.update(p).score);
    expect(scores.every((s) => Number.isFinite(s) && s >= 0 && s <= 1)).toBe(true);
  });

  it("resumes from a state saved before the context model existed", () => {
    const points = buildSeries(600, noisy);
    const first = createDetector();
    points.slice(0, 300).forEach((p) => first.update(p));
    const legacy = { ...first.getState() };
    delete legacy.context;
    const resumed = createDetector({}, JSON.stringify(legacy));
    const scores = points.slice(300).map((p) => resumed.update(p).score);
    expect(scores.every((s) => Number.isFinite(s) && s >= 0 && s <= 1)).toBe(true);
    expect(resumed.getState().context).not.toBeNull();
  });

  it("flags a familiar range visited in an unfamiliar order (contextual novelty)", () => {
    // A daily-style sawtooth; one cycle runs backwards, staying inside the known range.
    const saw = (i: number): number => 100 + 10 * (i % 24);
    const points = buildSeries(
      3000,
      (i, n) => (i >= 2400 && i < 2424 ? 100 + 10 * (23 - (i % 24)) : saw(i)) + 0.1 * n,
    );
    const withContext = runSeries(points);
    expect(firstAlarm(withContext, 2000)).toBeGreaterThanOrEqual(2400);
    expect(firstAlarm(withContext, 2000)).toBeLessThan(2424);
    const without = createDetector({ contextWeight: 0 });
    expect(points.some((p) => without.update(p).score >= ALARM)).toBe(false);
  });

  it("treats missing windows as zeros when asked to", () => {
    const options = { fillGaps: { stepMs: STEP, value: 0, maxSteps: 288 } };
    const gappy = createDetector(options);
    const dense = createDetector();
    const points = buildSeries(600, noisy);
    const kept = points.filter((_, i) => i < 400 || i >= 410);
    const gappyScores = kept.map((p) => gappy.update(p).score);
    const denseScores = points.map(
      (p, i) => dense.update(i >= 400 && i < 410 ? { ...p, value: 0 } : p).score,
    );
    expect(gappyScores.slice(400)).toEqual(denseScores.slice(410));
  });

  it("keeps scores finite and within [0, 1] for arbitrary finite input", () => {
    const point = fc.record({
      gap: fc.integer({ min: -STEP, max: 10 * STEP }),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 400 }), fc.boolean(), (steps, fill) => {
        const detector = createDetector(
          fill ? { fillGaps: { stepMs: STEP, value: 0, maxSteps: 5 }, warmup: 10 } : { warmup: 10 },
        );
        let timestamp = START;
        for (const step of steps) {
          timestamp += step.gap;
          const result = detector.update({ timestamp, value: step.value });
          for (const x of [result.score, result.expected, result.lower, result.upper]) {
            if (!Number.isFinite(x)) return false;
          }
          if (result.score < 0 || result.score > 1) return false;
        }
        return allNumbersFinite(detector.getState());
      }),
      { numRuns: 200 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  CONFIDENT_AFTER,
  confidenceOf,
  createDetector,
  createDetectorState,
  DEFAULT_OPTIONS,
  parseDetectorState,
  STATE_VERSION,
  scaleBelowAlarm,
  SURPRISE_SCALE,
  warmDetectorState,
  type DetectorPoint,
  type DetectorResult,
} from "./detector";

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

  it("alarms on a clean daily-seasonal series only about as often as its calibration allows", () => {
    const daily = (i: number, noise: number): number =>
      200 + 50 * Math.sin((2 * Math.PI * i) / 288) + 4 * noise;
    const results = runSeries(buildSeries(288 * 14, daily, 11));
    // The alarm level is a surprise of -log10 p ~ 3.5, so pure noise may reach it about once in
    // 3,000 points (here ~1.4 expected); the product's default sensitivity (0.65) never.
    const pAlarm = 10 ** (SURPRISE_SCALE * Math.log(1 - ALARM));
    const expected = results.length * pAlarm;
    expect(results.filter((r) => r.score >= ALARM).length).toBeLessThanOrEqual(Math.ceil(3 * expected));
    expect(results.filter((r) => r.score >= 0.65)).toHaveLength(0);
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

  it("scales near misses below the alarm level by the series' own recent peak, never alarms", () => {
    const alarm = 3.5;
    const state = createDetectorState();
    expect(scaleBelowAlarm(state, 2, alarm)).toBe(2);
    // A near miss of 2 lowers the next one, 3, to 3 x (1 - 2 / 3.5); after that, a surprise of 2
    // shows as 2 x (1 - 3 / 3.5), and an alarm as itself.
    expect(scaleBelowAlarm(state, 3, alarm)).toBeCloseTo(3 * (1 - 2 / alarm), 2);
    const scaled = scaleBelowAlarm(state, 2, alarm);
    expect(scaled).toBeGreaterThan(0.25);
    expect(scaled).toBeLessThan(0.3);
    expect(scaleBelowAlarm(state, 5, alarm)).toBe(5);
    expect(scaleBelowAlarm(state, alarm, alarm)).toBe(alarm);
    // Alarms do not raise the peak; it decays, so the same near miss shows closer over time.
    const later = Array.from({ length: 6000 }, () => scaleBelowAlarm(state, 0, alarm));
    expect(later.every((x) => x === 0)).toBe(true);
    expect(scaleBelowAlarm(state, 2, alarm)).toBeGreaterThan(1.7);
    // Monotone: a larger surprise never shows smaller, below or across the alarm level.
    const probe = { ...createDetectorState(), noisePeak: 3 };
    const shown = [0, 1, 2, 3, 3.49, 3.5, 4].map((x) => scaleBelowAlarm({ ...probe }, x, alarm));
    expect(shown.every((x, i) => i === 0 || x >= (shown[i - 1] ?? 0))).toBe(true);
  });

  it("resumes a state saved with the former four record scales exactly as if it had today's two", () => {
    const points = buildSeries(1200, (i, n) => noisy(i, n) + (i >= 900 ? 25 : 0));
    const first = createDetector();
    points.slice(0, 800).forEach((p) => first.update(p));
    const saved = first.getState();
    if (saved.records === null) throw new Error("no records after 800 points");
    // The former layout: raw value and weight 0.2 beside today's 0.5 and 0.05 scales.
    const widen = (values: number[]): number[] => [7, values[0] ?? 0, 8, values[1] ?? 0];
    const former = {
      ...saved,
      records: {
        smooth: widen(saved.records.smooth),
        low: widen(saved.records.low),
        high: widen(saved.records.high),
      },
    };
    const resumed = createDetector({}, JSON.stringify(former));
    expect(resumed.getState()).toEqual(saved);
    const rest = points.slice(800);
    expect(rest.map((p) => resumed.update(p))).toEqual(rest.map((p) => first.update(p)));
    const damaged = { ...former, records: { ...former.records, low: [1, 2, 3] } };
    expect(parseDetectorState(JSON.stringify(damaged))).toEqual(createDetectorState());
  });

  it("starts afresh from a stored state of another version or shape instead of failing", () => {
    const points = buildSeries(600, noisy);
    const first = createDetector();
    points.slice(0, 300).forEach((p) => first.update(p));
    const saved = first.getState();
    const { records: _dropped, ...missingField } = saved;
    const unknown = [
      JSON.stringify({ ...saved, version: STATE_VERSION + 1 }),
      JSON.stringify(missingField),
      JSON.stringify({ ...saved, count: "300" }),
      JSON.stringify({ version: 2, errorLikelihood: {} }),
      "not json",
      "null",
    ];
    for (const json of unknown) {
      expect(parseDetectorState(json)).toEqual(createDetectorState());
      const resumed = createDetector({}, json);
      const scores = points.slice(300).map((p) => resumed.update(p));
      expect(scores[0]?.confidence).toBe(0);
      expect(scores.every((r) => Number.isFinite(r.score) && r.score >= 0 && r.score <= 1)).toBe(true);
    }
    expect(parseDetectorState(first.serialize())).toEqual(saved);
  });

  it("reports a confidence that grows from 0 after the warm-up to 1 after a day of points", () => {
    const results = runSeries(buildSeries(400, noisy));
    const confidence = results.map((r) => r.confidence);
    expect(confidence.slice(0, DEFAULT_OPTIONS.warmup).every((c) => c === 0)).toBe(true);
    expect(confidence[DEFAULT_OPTIONS.warmup]).toBeGreaterThan(0);
    expect(confidence.every((c, i) => i === 0 || c >= (confidence[i - 1] ?? 0))).toBe(true);
    expect(results.findIndex((r) => !r.warmingUp)).toBe(CONFIDENT_AFTER - 1);
    expect(confidence.slice(CONFIDENT_AFTER - 1).every((c) => c === 1)).toBe(true);
    expect(confidenceOf(CONFIDENT_AFTER)).toBe(1);
  });

  it("flags a large spike soon after the warm-up but not the ordinary noise before it", () => {
    const points = buildSeries(120, (i, n) => noisy(i, n) + (i === 60 ? 100 : 0));
    const results = runSeries(points);
    expect(firstAlarm(results)).toBe(60);
    expect(results[60]?.warmingUp).toBe(true);
  });

  it("learns a history into the same state as scoring it point by point", () => {
    const points = buildSeries(900, (i, n) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * n);
    const options = { ...DEFAULT_OPTIONS, fillGaps: { stepMs: STEP, value: 0, maxSteps: 288 } };
    const gappy = points.filter((_, i) => i % 97 !== 5);
    const stepped = createDetector(options);
    gappy.forEach((p) => stepped.update(p));
    expect(warmDetectorState(gappy, options)).toEqual(stepped.getState());
    const warmed = createDetector(options, warmDetectorState(gappy, options));
    const next = { timestamp: START + 900 * STEP, value: 500 };
    expect(warmed.update(next)).toEqual(stepped.update(next));
  });

  it("flags familiar values visited in an unfamiliar order (contextual novelty)", () => {
    // Eight levels, each held 3 points, in a fixed order; one cycle visits them in another order,
    // so no value, step size or running mean is new: only the sequence is.
    const usual = [0, 5, 2, 7, 4, 1, 6, 3];
    const shuffled = [0, 2, 5, 7, 1, 4, 6, 3];
    const levelAt = (i: number): number =>
      ((i >= 2400 && i < 2424 ? shuffled : usual)[Math.floor(i / 3) % 8] ?? 0) * 10 + 100;
    const points = buildSeries(3000, (i, n) => levelAt(i) + 0.1 * n);
    const withContext = runSeries(points);
    expect(firstAlarm(withContext, 1000)).toBeGreaterThanOrEqual(2400);
    expect(firstAlarm(withContext, 1000)).toBeLessThan(2424);
    const without = createDetector({ contextWeight: 0 });
    expect(points.some((p, i) => without.update(p).score >= ALARM && i >= 1000)).toBe(false);
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

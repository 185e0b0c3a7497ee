import { describe, expect, it } from "vitest";
import type { RuleRow } from "@/lib/alerts/dto";
import type { RuleCondition } from "@/lib/alerts/rule-schema";
import type { ClosedWindow } from "@/lib/events/closed-window";
import {
  runDetectionStep,
  seriesConfidence,
  warmSeriesMemory,
  type RuleMemory,
  type SeriesMemory,
} from "./detect-step";

const STEP = 300_000;
const START = Date.parse("2026-03-02T00:00:00Z");

/** Deterministic noise: a small linear congruential generator. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648 - 0.5;
  };
}

function windowsOf(counts: number[], offset = 0, eventType = "purchase"): ClosedWindow[] {
  return counts.map((count, i) => ({
    window_start: new Date(START + (offset + i) * STEP).toISOString(),
    window_seconds: 300,
    event_type: eventType,
    region: "*",
    count,
    distinct_users: Math.round(count * 0.6),
    value_count: 0,
    sum: null,
    avg: null,
    min: null,
    max: null,
    p50: null,
    p95: null,
    p99: null,
    closed_at: new Date(START + (offset + i + 1) * STEP).toISOString(),
  }));
}

function normalCounts(n: number, seed = 7): number[] {
  const next = noise(seed);
  return Array.from({ length: n }, () => Math.round(100 + next() * 16));
}

function rule(condition: RuleCondition, overrides: Partial<RuleRow> = {}): RuleRow {
  const now = new Date(START);
  return {
    id: "00000000-0000-4000-8000-000000000001",
    projectId: "default",
    name: "test rule",
    eventType: "purchase",
    region: "*",
    metric: "count",
    windowSeconds: 300,
    condition,
    forWindows: 1,
    severity: "high",
    inApp: true,
    webhookUrl: null,
    webhookSecret: null,
    mutedUntil: null,
    enabled: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function run(
  windows: ClosedWindow[],
  rules: RuleRow[],
  series = new Map<string, SeriesMemory>(),
  ruleMemory = new Map<string, RuleMemory>(),
) {
  return {
    result: runDetectionStep({ windows, series, rules, ruleMemory, defaultSensitivity: "medium" }),
    series,
    ruleMemory,
  };
}

describe("detection step", () => {
  const history = normalCounts(300);
  const spikeAt = history.length;
  const counts = [...history, 1000, ...normalCounts(10, 11)];

  it("records an anomaly on a spike after a long normal history, and nothing before", () => {
    const { result } = run(windowsOf(counts), []);
    const countAnomalies = result.anomalies.filter((anomaly) => anomaly.id.metric === "count");
    expect(countAnomalies).toHaveLength(1);
    const [anomaly] = countAnomalies;
    expect(anomaly?.windowStartMs).toBe(START + spikeAt * STEP);
    expect(anomaly?.direction).toBe("spike");
    expect(anomaly?.observed).toBe(1000);
    expect(anomaly?.upper).toBeLessThan(1000);
    expect(anomaly?.context.at(-1)?.observed).toBe(1000);
    expect(anomaly?.context.length).toBeGreaterThan(10);
    expect(result.processed).toBe(counts.length);
    // The windows right after the spike still score high: they belong to the same anomaly.
    expect(result.anomalies.every((found) => found.windowStartMs === START + spikeAt * STEP)).toBe(true);
  });

  it("fires an anomaly rule once on the spike and resolves it when the score falls back", () => {
    const { result, series } = run(windowsOf(counts), [rule({ type: "anomaly", sensitivity: "high" })]);
    expect(result.transitions.map((t) => t.transition)).toEqual(["fire", "resolve"]);
    const [fire, resolve] = result.transitions;
    expect(fire?.windowStartMs).toBe(START + spikeAt * STEP);
    expect(fire?.score).toBeGreaterThanOrEqual(0.5);
    // Resolved on the first window after the spike that scores below the rule's threshold.
    const recent = series.get("300|purchase|*|count")?.recent ?? [];
    const firstClear = recent.find(
      (point) => Date.parse(point.window_start) > START + spikeAt * STEP && (point.score ?? 0) < 0.5,
    );
    expect(resolve?.windowStartMs).toBe(Date.parse(firstClear?.window_start ?? ""));
    expect(resolve?.windowStartMs).toBeLessThanOrEqual(START + (spikeAt + 6) * STEP);
  });

  it("does not fire during the warm-up, and fires early after it, marked as warming up", () => {
    const rules = [rule({ type: "anomaly", sensitivity: "high" })];
    const { result: during } = run(windowsOf([...normalCounts(20), 1000]), rules);
    expect(during.transitions).toEqual([]);
    expect(during.anomalies).toEqual([]);

    const { result: after } = run(windowsOf([...normalCounts(100), 1000]), rules);
    const count = after.anomalies.filter((anomaly) => anomaly.id.metric === "count");
    expect(count.map((anomaly) => (anomaly.windowStartMs - START) / STEP)).toEqual([100]);
    expect(count[0]?.warmingUp).toBe(true);
    expect(count[0]?.confidence).toBeGreaterThan(0);
    expect(count[0]?.confidence).toBeLessThan(1);
    expect(after.transitions.map((t) => [t.transition, t.warmingUp])).toEqual([["fire", true]]);
  });

  it("warms a series from its stored history as if the step had learned it", () => {
    const windows = windowsOf(counts);
    const id = { windowSeconds: 300, eventType: "purchase", region: "*", metric: "count" as const };
    const history = windows.slice(0, spikeAt);
    const warmed = warmSeriesMemory(id, [...history].reverse());
    const stepped = run(history, []).series.get("300|purchase|*|count");
    expect(warmed).toEqual(stepped);
    expect(seriesConfidence(warmed)).toBe(1);

    const metrics = ["count", "distinct_users", "avg", "p95"] as const;
    const series = new Map(
      metrics.map((metric) => [`300|purchase|*|${metric}`, warmSeriesMemory({ ...id, metric }, history)]),
    );
    const { result } = run(windows.slice(spikeAt - 5), [], series);
    expect(result.duplicates).toBe(5);
    const spike = result.anomalies.find((anomaly) => anomaly.id.metric === "count");
    expect(spike?.windowStartMs).toBe(START + spikeAt * STEP);
    expect(spike?.warmingUp).toBe(false);
  });

  it("treats redelivered windows as no-ops", () => {
    const windows = windowsOf(counts);
    const series = new Map<string, SeriesMemory>();
    const ruleMemory = new Map<string, RuleMemory>();
    const rules = [rule({ type: "anomaly", sensitivity: "high" })];
    run(windows, rules, series, ruleMemory);
    const again = run(windows.slice(-20), rules, series, ruleMemory).result;
    expect(again.duplicates).toBe(20);
    expect(again.processed).toBe(0);
    expect(again.anomalies).toEqual([]);
    expect(again.transitions).toEqual([]);
    expect(again.series.size).toBe(0);
  });

  it("resumes from stored (JSON) state exactly as if it had never stopped", () => {
    const windows = windowsOf(counts);
    const rules = [rule({ type: "anomaly", sensitivity: "high" })];
    const straight = run(windows, rules).result;

    const first = run(windows.slice(0, 200), rules);
    const stored = new Map(
      [...first.series].map(([key, memory]) => [key, JSON.parse(JSON.stringify(memory)) as SeriesMemory]),
    );
    const storedRules = new Map(
      [...first.ruleMemory].map(([id, memory]) => [id, JSON.parse(JSON.stringify(memory)) as RuleMemory]),
    );
    const second = run(windows.slice(200), rules, stored, storedRules).result;
    expect([...first.result.anomalies, ...second.anomalies]).toEqual(straight.anomalies);
    expect(second.transitions).toEqual(straight.transitions);
  });

  it("fires a threshold rule after `for` windows and resolves after as many clear ones", () => {
    const windows = windowsOf([10, 60, 70, 80, 20, 90, 20, 20, 20]);
    const { result } = run(windows, [
      rule({ type: "threshold", operator: "above", value: 50 }, { forWindows: 2 }),
    ]);
    expect(
      result.transitions.map((t) => [t.transition, (t.windowStartMs - START) / STEP, t.observed]),
    ).toEqual([
      ["fire", 2, 70],
      ["resolve", 7, 20],
    ]);
  });

  it("evaluates windows nobody sent events in as zero counts", () => {
    const windows = windowsOf([30, 30]).concat(windowsOf([30], 5));
    const { result } = run(windows, [rule({ type: "threshold", operator: "below", value: 10 })]);
    expect(
      result.transitions.map((t) => [t.transition, (t.windowStartMs - START) / STEP, t.observed]),
    ).toEqual([
      ["fire", 2, 0],
      ["resolve", 5, 30],
    ]);
  });

  it("leaves rules of other series and disabled rules alone", () => {
    const windows = windowsOf([100, 100]);
    const other = rule({ type: "threshold", operator: "above", value: 1 }, { eventType: "signup" });
    const disabled = rule(
      { type: "threshold", operator: "above", value: 1 },
      { id: "00000000-0000-4000-8000-000000000002", enabled: false },
    );
    const { result } = run(windows, [other, disabled]);
    expect(result.transitions).toEqual([]);
    expect(result.rules.size).toBe(0);
  });

  it("records anomalies at the most sensitive watching rule's level", () => {
    // A rule with low sensitivity does not lower the bar; one with high sensitivity does.
    const windows = windowsOf(counts);
    const low = run(windows, [rule({ type: "anomaly", sensitivity: "low" })]).result.anomalies;
    const high = run(windows, [rule({ type: "anomaly", sensitivity: "high" })]).result.anomalies;
    expect(high.length).toBeGreaterThanOrEqual(low.length);
    expect(high.every((anomaly) => anomaly.score >= 0.5)).toBe(true);
  });
});

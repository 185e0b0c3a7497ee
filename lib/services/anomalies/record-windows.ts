import "server-only";
import { and, eq, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertIncidents, alertRules, alertRuleStates, anomalies, detectorStates } from "@/db/schema";
import { isRuleMetric, type Sensitivity } from "@/lib/alerts/constants";
import type { AnomalyRow, IncidentRow, RuleRow } from "@/lib/alerts/dto";
import { parseSeriesKey, seriesKey, seriesOfWindow } from "@/lib/domain/alerts/series";
import { projectOfWindow, type ClosedWindow } from "@/lib/events/closed-window";
import { DEFAULT_PROJECT_ID } from "@/lib/domain/projects";
import type { DetectorState } from "@/lib/domain/detection/detector";
import { parseDetectorState, serializeDetectorState } from "@/lib/domain/detection/detector";
import { listAggregations } from "@/db/queries/aggregations";
import { seriesWarmedTotal } from "@/lib/metrics";
import {
  runDetectionStep,
  scopeKey,
  warmSeriesMemory,
  type RuleMemory,
  type SeriesMemory,
} from "@/lib/domain/anomaly/detect-step";
import { applyTransitions, type AppliedTransitions } from "../alerts/apply-transitions";
import type { Tx } from "../alerts/deliveries";
import { lockScopes } from "./series-locks";

export interface RecordedWindows extends AppliedTransitions {
  processed: number;
  duplicates: number;
  anomalies: AnomalyRow[];
}

const CHUNK = 200;

/**
 * One batch of closed windows in one transaction: the detector state of every series they feed,
 * the anomalies found, the alert rules' state, their incidents and the outbox rows of the
 * notifications. A redelivered window changes nothing (each series and rule remembers its last
 * window), so the caller may commit its Kafka offsets after this returns.
 */
export async function recordClosedWindows(
  windows: ClosedWindow[],
  options: { defaultSensitivity: Sensitivity; now: Date },
): Promise<RecordedWindows> {
  const keys = [...new Set(windows.flatMap((window) => seriesOfWindow(window).map(seriesKey)))];
  const scopes = new Map<string, RuleScope>();
  for (const window of windows) {
    const projectId = projectOfWindow(window);
    scopes.set(scopeKey(projectId, window.window_seconds, window.event_type, window.region), {
      projectId,
      windowSeconds: window.window_seconds,
      eventType: window.event_type,
      region: window.region,
    });
  }
  return getDb().transaction(async (tx) => {
    await lockScopes(tx, [...scopes.keys()]);
    const series = await loadSeries(tx, keys);
    await warmNewSeries(series, windows);
    const rules = await loadRules(tx, [...scopes.values()]);
    const ruleMemory = await loadRuleMemory(
      tx,
      rules.map((rule) => rule.id),
    );
    const step = runDetectionStep({
      windows,
      series,
      rules,
      ruleMemory,
      defaultSensitivity: options.defaultSensitivity,
    });
    await saveSeries(tx, step.series);
    const inserted = await insertAnomalies(tx, step.anomalies);
    await saveRuleMemory(tx, step.rules);
    const anomalyIds = new Map(inserted.map((row) => [anomalyLink(row), row.id]));
    const open = await loadOpenIncidents(
      tx,
      rules.map((rule) => rule.id),
    );
    const applied = await applyTransitions(
      tx,
      new Map(rules.map((rule) => [rule.id, rule])),
      open,
      step.transitions.map((change) => ({
        ruleId: change.ruleId,
        transition: change.transition,
        anomalyId: anomalyIds.get(`${change.seriesKey}@${change.windowStartMs}`) ?? null,
        figures: {
          windowStart: new Date(change.windowStartMs),
          observed: change.observed,
          expected: change.expected,
          lower: change.lower,
          upper: change.upper,
          score: change.score,
          warmingUp: change.warmingUp,
        },
      })),
      options.now,
    );
    return { ...applied, processed: step.processed, duplicates: step.duplicates, anomalies: inserted };
  });
}

function anomalyLink(row: AnomalyRow): string {
  if (!isRuleMetric(row.metric)) return "";
  const key = seriesKey({
    projectId: row.projectId,
    windowSeconds: row.windowSeconds,
    eventType: row.eventType,
    region: row.region,
    metric: row.metric,
  });
  return `${key}@${row.windowStart.getTime()}`;
}

/** The stored history a new series learns before its first window is scored: a week at most. */
const WARM_HISTORY_MS = 7 * 86_400_000;
const WARM_HISTORY_WINDOWS = 10_080;

/**
 * Series of this batch with no detector state whose history is already in `aggregations`
 * (after a replay, a backfill or an upgrade) learn it first (`warmSeriesMemory`), so their first
 * window is scored with that knowledge instead of warming up for 30 windows. A series with no
 * history starts fresh, as before. Closed rows never change, so they are read outside the
 * transaction; one read per new series (type x region x size), its four metrics share it.
 */
async function warmNewSeries(series: Map<string, SeriesMemory>, windows: ClosedWindow[]): Promise<void> {
  const firstOfScope = new Map<string, ClosedWindow>();
  for (const window of windows) {
    const ids = seriesOfWindow(window);
    if (ids.every((id) => series.has(seriesKey(id)))) continue;
    const scope = scopeKey(projectOfWindow(window), window.window_seconds, window.event_type, window.region);
    const seen = firstOfScope.get(scope);
    if (!seen || Date.parse(window.window_start) < Date.parse(seen.window_start))
      firstOfScope.set(scope, window);
  }
  for (const window of firstOfScope.values()) {
    const before = Date.parse(window.window_start);
    const history = await listAggregations(projectOfWindow(window), {
      event_type: window.event_type,
      region: window.region,
      window: window.window_seconds,
      from: new Date(before - Math.min(WARM_HISTORY_MS, WARM_HISTORY_WINDOWS * window.window_seconds * 1000)),
      to: new Date(before),
      limit: WARM_HISTORY_WINDOWS,
    });
    if (history.length === 0) continue;
    for (const id of seriesOfWindow(window)) {
      const key = seriesKey(id);
      if (!series.has(key)) series.set(key, warmSeriesMemory(id, history));
    }
    seriesWarmedTotal.inc();
  }
}

async function loadSeries(tx: Tx, keys: string[]): Promise<Map<string, SeriesMemory>> {
  const memory = new Map<string, SeriesMemory>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await tx
      .select()
      .from(detectorStates)
      .where(inArray(detectorStates.seriesKey, keys.slice(i, i + CHUNK)));
    for (const row of rows) {
      const id = parseSeriesKey(row.seriesKey);
      if (!id) continue;
      memory.set(row.seriesKey, {
        id,
        state: parseDetectorState(JSON.stringify(row.state)),
        recent: row.recent,
        points: row.points,
        lastWindowStartMs: row.lastWindowStart.getTime(),
      });
    }
  }
  return memory;
}

async function saveSeries(tx: Tx, changed: Map<string, SeriesMemory>): Promise<void> {
  const rows = [...changed.entries()].flatMap(([key, memory]) =>
    memory.lastWindowStartMs === null
      ? []
      : [
          {
            seriesKey: key,
            projectId: memory.id.projectId ?? DEFAULT_PROJECT_ID,
            windowSeconds: memory.id.windowSeconds,
            eventType: memory.id.eventType,
            region: memory.id.region,
            metric: memory.id.metric,
            state: stateAsJson(memory.state),
            recent: memory.recent,
            points: memory.points,
            lastWindowStart: new Date(memory.lastWindowStartMs),
          },
        ],
  );
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insert(detectorStates)
      .values(rows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: detectorStates.seriesKey,
        set: {
          state: sql`excluded.state`,
          recent: sql`excluded.recent`,
          points: sql`excluded.points`,
          lastWindowStart: sql`excluded.last_window_start`,
          updatedAt: sql`now()`,
        },
      });
  }
}

function stateAsJson(state: DetectorState): Record<string, unknown> {
  return JSON.parse(serializeDetectorState(state)) as Record<string, unknown>;
}

async function insertAnomalies(
  tx: Tx,
  found: ReturnType<typeof runDetectionStep>["anomalies"],
): Promise<AnomalyRow[]> {
  if (found.length === 0) return [];
  return tx
    .insert(anomalies)
    .values(
      found.map((anomaly) => ({
        projectId: anomaly.id.projectId ?? DEFAULT_PROJECT_ID,
        eventType: anomaly.id.eventType,
        region: anomaly.id.region,
        metric: anomaly.id.metric,
        windowStart: new Date(anomaly.windowStartMs),
        windowSeconds: anomaly.id.windowSeconds,
        observed: anomaly.observed,
        expected: anomaly.expected,
        lower: anomaly.lower,
        upper: anomaly.upper,
        score: anomaly.score,
        confidence: anomaly.confidence,
        direction: anomaly.direction,
        severity: anomaly.severity,
        context: anomaly.context,
      })),
    )
    .onConflictDoNothing()
    .returning();
}

interface RuleScope {
  projectId: string;
  windowSeconds: number;
  eventType: string;
  region: string;
}

async function loadRules(tx: Tx, scopes: RuleScope[]): Promise<RuleRow[]> {
  const rules: RuleRow[] = [];
  for (let i = 0; i < scopes.length; i += CHUNK) {
    const matches: SQL[] = scopes
      .slice(i, i + CHUNK)
      .map(
        (scope) =>
          and(
            eq(alertRules.projectId, scope.projectId),
            eq(alertRules.windowSeconds, scope.windowSeconds),
            eq(alertRules.eventType, scope.eventType),
            eq(alertRules.region, scope.region),
          ) ?? sql`false`,
      );
    rules.push(
      ...(await tx
        .select()
        .from(alertRules)
        .where(and(eq(alertRules.enabled, true), or(...matches)))
        // a rule deleted or edited meanwhile waits for this batch instead of breaking it
        .for("share")),
    );
  }
  return rules;
}

export async function loadRuleMemory(tx: Tx, ruleIds: string[]): Promise<Map<string, RuleMemory>> {
  if (ruleIds.length === 0) return new Map();
  const rows = await tx.select().from(alertRuleStates).where(inArray(alertRuleStates.ruleId, ruleIds));
  return new Map(
    rows.map((row) => [
      row.ruleId,
      {
        breachStreak: row.breachStreak,
        clearStreak: row.clearStreak,
        firing: row.firing,
        lastWindowStartMs: row.lastWindowStart?.getTime() ?? null,
        lastDataWindowStartMs: row.lastDataWindowStart?.getTime() ?? null,
      },
    ]),
  );
}

export async function saveRuleMemory(tx: Tx, changed: Map<string, RuleMemory>): Promise<void> {
  const rows = [...changed.entries()].map(([ruleId, memory]) => ({
    ruleId,
    breachStreak: memory.breachStreak,
    clearStreak: memory.clearStreak,
    firing: memory.firing,
    lastWindowStart: memory.lastWindowStartMs === null ? null : new Date(memory.lastWindowStartMs),
    lastDataWindowStart:
      memory.lastDataWindowStartMs === null ? null : new Date(memory.lastDataWindowStartMs),
  }));
  if (rows.length === 0) return;
  await tx
    .insert(alertRuleStates)
    .values(rows)
    .onConflictDoUpdate({
      target: alertRuleStates.ruleId,
      set: {
        breachStreak: sql`excluded.breach_streak`,
        clearStreak: sql`excluded.clear_streak`,
        firing: sql`excluded.firing`,
        lastWindowStart: sql`excluded.last_window_start`,
        lastDataWindowStart: sql`excluded.last_data_window_start`,
        updatedAt: sql`now()`,
      },
    });
}

export async function loadOpenIncidents(tx: Tx, ruleIds: string[]): Promise<Map<string, IncidentRow>> {
  if (ruleIds.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(alertIncidents)
    .where(and(inArray(alertIncidents.ruleId, ruleIds), ne(alertIncidents.status, "resolved")));
  return new Map(rows.map((row) => [row.ruleId, row]));
}

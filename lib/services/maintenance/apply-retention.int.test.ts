import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { ensureRawEventPartitions } from "@/db/partitions";
import { applyRetention, type RetentionSettings } from "./apply-retention";

afterAll(() => closeDb());
const DAY = 86_400_000;

async function partitionExists(epochMs: number): Promise<boolean> {
  const name = `raw_events_${new Date(epochMs).toISOString().slice(0, 10).replaceAll("-", "")}`;
  const [row] = await getSql()<{ found: boolean }[]>`select to_regclass(${name}) is not null as found`;
  return row?.found ?? false;
}

/**
 * History older than this goes in the tests below. TRICKY: the suite's processor runs the same
 * retention with the defaults (30 days and more): rows 20 days old are left to this test's pass.
 */
const HISTORY_DAYS = 10;

function settings(now: number, overrides: Partial<RetentionSettings> = {}): RetentionSettings {
  return {
    now,
    rawEventsDays: 30,
    aggregationsDays: 400,
    systemMetricsDays: 7,
    anomaliesDays: HISTORY_DAYS,
    alertHistoryDays: HISTORY_DAYS,
    detectorStatesDays: HISTORY_DAYS,
    ...overrides,
  };
}

/** Alert rules, incidents, deliveries with attempts, anomalies and detector states, 20 or 2 days old. */
async function seedHistory(now: number, region: string) {
  const sql = getSql();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const rules = { main: randomUUID(), open: randomUUID(), acknowledged: randomUUID() };
  for (const id of Object.values(rules)) {
    await sql`insert into alert_rules (id, name, event_type, region, metric, window_seconds, condition, severity)
              values (${id}, 'retention test', 'click', ${region}, 'count', 300, '{}'::jsonb, 'low')`;
  }
  let windows = 0;
  const anomaly = async (daysAgo: number) => {
    const windowStart = new Date(now - daysAgo * DAY + ++windows * 300_000).toISOString();
    const [row] = await sql<{ id: number }[]>`
      insert into anomalies (event_type, region, metric, window_start, window_seconds, observed, expected,
                             lower, upper, score, direction, severity, created_at, updated_at)
      values ('click', ${region}, 'count', ${windowStart}::timestamptz, 300, 10, 1, 0, 2, 0.9, 'spike', 'low',
              ${at(daysAgo)}::timestamptz, ${at(daysAgo)}::timestamptz)
      returning id`;
    if (!row) throw new Error("anomaly not inserted");
    return Number(row.id);
  };
  const incident = async (
    ruleId: string,
    status: "open" | "acknowledged" | "resolved",
    firedDaysAgo: number,
    resolvedDaysAgo: number | null,
    anomalyId: number | null = null,
  ) => {
    const id = randomUUID();
    const resolvedAt = resolvedDaysAgo === null ? null : at(resolvedDaysAgo);
    await sql`insert into alert_incidents (id, rule_id, status, severity, event_type, region, metric, window_seconds,
                                           fired_window_start, anomaly_id, fired_at, resolved_at, updated_at)
              values (${id}, ${ruleId}, ${status}, 'low', 'click', ${region}, 'count', 300,
                      ${at(firedDaysAgo)}::timestamptz, ${anomalyId}, ${at(firedDaysAgo)}::timestamptz,
                      ${resolvedAt}::timestamptz, ${resolvedAt ?? at(firedDaysAgo)}::timestamptz)`;
    return id;
  };
  const delivery = async (
    incidentId: string | null,
    status: "pending" | "retrying" | "delivered" | "dead_lettered",
    daysAgo: number,
    attempts: number,
  ) => {
    const id = randomUUID();
    await sql`insert into alert_deliveries (id, rule_id, incident_id, kind, url, payload, status, attempts,
                                            max_attempts, created_at, updated_at)
              values (${id}, ${rules.main}, ${incidentId}, ${incidentId === null ? "test" : "firing"},
                      'http://127.0.0.1/hook', '{}'::jsonb, ${status}, ${attempts}, 5,
                      ${at(daysAgo)}::timestamptz, ${at(daysAgo)}::timestamptz)`;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = attempt < attempts || status === "retrying" ? "retry" : status;
      await sql`insert into alert_delivery_attempts (delivery_id, attempt, outcome, duration_ms, attempted_at)
                values (${id}, ${attempt}, ${outcome}, 5, ${at(daysAgo)}::timestamptz)`;
    }
    return id;
  };
  const states = {
    stopped: `retention:${region}:stopped`,
    // an old window redelivered lately: the series is not stopped
    touched: `retention:${region}:touched`,
    live: `retention:${region}:live`,
  };
  for (const [key, updatedDaysAgo, lastWindowDaysAgo] of [
    [states.stopped, 20, 20],
    [states.touched, 2, 20],
    [states.live, 2, 2],
  ] as const) {
    await sql`insert into detector_states (series_key, window_seconds, event_type, region, metric, state,
                                           last_window_start, updated_at)
              values (${key}, 300, 'click', ${region}, 'count', '{}'::jsonb,
                      ${at(lastWindowDaysAgo)}::timestamptz, ${at(updatedDaysAgo)}::timestamptz)`;
  }

  const anomalies = {
    old: await anomaly(20),
    recent: await anomaly(2),
    linkedToOpenIncident: await anomaly(20),
    linkedToPrunedIncident: await anomaly(20),
  };
  const incidents = {
    resolvedOld: await incident(rules.main, "resolved", 21, 20, anomalies.linkedToPrunedIncident),
    resolvedOldInAppOnly: await incident(rules.main, "resolved", 21, 20),
    resolvedOldWithPending: await incident(rules.main, "resolved", 21, 20),
    // fired long ago, resolved lately
    resolvedRecently: await incident(rules.main, "resolved", 21, 2),
    open: await incident(rules.open, "open", 20, null, anomalies.linkedToOpenIncident),
    acknowledged: await incident(rules.acknowledged, "acknowledged", 20, null),
  };
  const deliveries = {
    deliveredOld: await delivery(incidents.resolvedOld, "delivered", 20, 2),
    deadLetteredOld: await delivery(incidents.resolvedOld, "dead_lettered", 20, 3),
    pendingOfResolved: await delivery(incidents.resolvedOldWithPending, "pending", 20, 0),
    deliveredBesidePending: await delivery(incidents.resolvedOldWithPending, "delivered", 20, 1),
    deliveredOfResolvedRecently: await delivery(incidents.resolvedRecently, "delivered", 2, 1),
    deliveredOfOpen: await delivery(incidents.open, "delivered", 20, 1),
    testDeliveredOld: await delivery(null, "delivered", 20, 1),
    testRetryingOld: await delivery(null, "retrying", 20, 2),
    testDeliveredRecent: await delivery(null, "delivered", 2, 1),
  };
  return { rules, anomalies, incidents, deliveries, states };
}

type Seeded = Awaited<ReturnType<typeof seedHistory>>;

/** What is left of the seeded rows, by the names they were seeded under. */
async function remaining(seeded: Seeded) {
  const sql = getSql();
  const names = <T extends string | number>(ids: Record<string, T>, kept: T[]) =>
    Object.entries(ids)
      .filter(([, id]) => kept.includes(id))
      .map(([name]) => name)
      .sort();
  const anomalies = await sql<{ id: string }[]>`
    select id from anomalies where id in ${sql(Object.values(seeded.anomalies))}`;
  const incidents = await sql<{ id: string }[]>`
    select id from alert_incidents where id in ${sql(Object.values(seeded.incidents))}`;
  const deliveries = await sql<{ id: string }[]>`
    select id from alert_deliveries where id in ${sql(Object.values(seeded.deliveries))}`;
  const attempts = await sql<{ deliveryId: string; n: number }[]>`
    select delivery_id as "deliveryId", count(*)::int as n from alert_delivery_attempts
    where delivery_id in ${sql(Object.values(seeded.deliveries))} group by delivery_id`;
  const states = await sql<{ key: string }[]>`
    select series_key as key from detector_states where series_key in ${sql(Object.values(seeded.states))}`;
  const attemptsByDelivery = new Map(attempts.map((row) => [row.deliveryId, row.n]));
  return {
    anomalies: names(
      seeded.anomalies,
      anomalies.map((row) => Number(row.id)),
    ),
    incidents: names(
      seeded.incidents,
      incidents.map((row) => row.id),
    ),
    deliveries: names(
      seeded.deliveries,
      deliveries.map((row) => row.id),
    ),
    attempts: Object.fromEntries(
      Object.entries(seeded.deliveries)
        .filter(([, id]) => attemptsByDelivery.has(id))
        .map(([name, id]) => [name, attemptsByDelivery.get(id)]),
    ),
    states: names(
      seeded.states,
      states.map((row) => row.key),
    ),
  };
}

async function removeSeeded(seeded: Seeded, region: string): Promise<void> {
  const sql = getSql();
  // incidents, deliveries and attempts go with their rules (on delete cascade)
  await sql`delete from alert_rules where id in ${sql(Object.values(seeded.rules))}`;
  await sql`delete from anomalies where region = ${region}`;
  await sql`delete from detector_states where series_key in ${sql(Object.values(seeded.states))}`;
}

describe("applyRetention", () => {
  it("drops whole day partitions past the retention, keeps newer ones, prunes old aggregates and creates days ahead", async () => {
    const sql = getSql();
    const now = Date.now();
    const old = now - 40 * DAY;
    const recent = now - 10 * DAY;
    await ensureRawEventPartitions(sql, old, old);
    const tag = randomBytes(3).toString("hex");
    await sql`insert into raw_events (event_id, event_time, event_type, received_at, correlation_id)
              values (${`old-${tag}`}, ${new Date(old).toISOString()}::timestamptz, 'click', now(), 'retention-test'),
                     (${`recent-${tag}`}, ${new Date(recent).toISOString()}::timestamptz, 'click', now(), 'retention-test')`;
    await sql`insert into aggregations (window_start, window_seconds, event_type, region, event_count, users)
              values (${new Date(now - 500 * DAY).toISOString()}::timestamptz, 300, 'click', ${`ret-${tag}`}, 1, hll_empty()),
                     (${new Date(recent).toISOString()}::timestamptz, 300, 'click', ${`ret-${tag}`}, 1, hll_empty())`;
    expect(await partitionExists(old)).toBe(true);

    // history retention far away: this test is about partitions and aggregates only
    const result = await applyRetention(
      sql,
      settings(now, { anomaliesDays: 3650, alertHistoryDays: 3650, detectorStatesDays: 3650 }),
    );

    expect(await partitionExists(old)).toBe(false);
    expect(await partitionExists(recent)).toBe(true);
    expect(await partitionExists(now + 6 * DAY)).toBe(true);
    expect(result.droppedPartitions.length).toBeGreaterThan(0);
    const events =
      await sql`select event_id from raw_events where event_id in (${`old-${tag}`}, ${`recent-${tag}`})`;
    expect(events.map((row) => row.event_id)).toEqual([`recent-${tag}`]);
    const [aggs] = await sql`select count(*)::int as n from aggregations where region = ${`ret-${tag}`}`;
    expect(aggs?.n).toBe(1);
  });

  it("prunes finished alert history, old anomalies and stopped series' detector states, in small chunks, keeping what is open or recent", async () => {
    const now = Date.now();
    const region = `ret-${randomBytes(4).toString("hex")}`;
    const seeded = await seedHistory(now, region);
    try {
      const before = await remaining(seeded);
      expect(before.anomalies).toHaveLength(4);
      expect(before.incidents).toHaveLength(6);
      expect(before.deliveries).toHaveLength(9);
      expect(before.states).toHaveLength(3);

      // chunks of 2 rows: every table takes several statements
      const result = await applyRetention(getSql(), settings(now, { chunkRows: 2 }));

      const after = await remaining(seeded);
      expect(after.anomalies).toEqual(["linkedToOpenIncident", "recent"]);
      expect(after.incidents).toEqual(["acknowledged", "open", "resolvedOldWithPending", "resolvedRecently"]);
      expect(after.deliveries).toEqual([
        "deliveredOfOpen",
        "deliveredOfResolvedRecently",
        "pendingOfResolved",
        "testDeliveredRecent",
        "testRetryingOld",
      ]);
      // the kept deliveries keep every attempt; the deleted ones leave none
      expect(after.attempts).toEqual({
        deliveredOfOpen: 1,
        deliveredOfResolvedRecently: 1,
        testDeliveredRecent: 1,
        testRetryingOld: 2,
      });
      expect(after.states).toEqual(["live", "touched"]);
      // at least this test's rows (others' rows as old may have gone too)
      expect(result.deletedAlertDeliveryAttempts).toBeGreaterThanOrEqual(7);
      expect(result.deletedAlertDeliveries).toBeGreaterThanOrEqual(4);
      expect(result.deletedAlertIncidents).toBeGreaterThanOrEqual(2);
      expect(result.deletedAnomalies).toBeGreaterThanOrEqual(2);
      expect(result.deletedDetectorStates).toBeGreaterThanOrEqual(1);
      expect(result.interrupted).toBe(false);
    } finally {
      await removeSeeded(seeded, region);
    }
  });

  it("stops between delete statements when asked, leaving the rest to the next pass", async () => {
    const now = Date.now();
    const region = `ret-${randomBytes(4).toString("hex")}`;
    const seeded = await seedHistory(now, region);
    try {
      const before = await remaining(seeded);
      const result = await applyRetention(getSql(), settings(now, { stopped: () => true }));
      expect(result.interrupted).toBe(true);
      expect(await remaining(seeded)).toEqual(before);
    } finally {
      await removeSeeded(seeded, region);
    }
  });
});

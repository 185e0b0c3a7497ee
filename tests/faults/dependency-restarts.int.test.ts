/**
 * Each dependency goes down under steady ingest and comes back: PostgreSQL and Redis are
 * stopped and started as processes, the Kafka broker is stopped and started, or frozen
 * (SIGSTOP) until the web app gives up on it. Afterwards every acknowledged event is stored
 * once and every aggregate equals its recomputation from raw_events.
 */
import { describe, expect, it } from "vitest";
import { topicForType } from "@/lib/events/routing";
import { packEvents } from "@/lib/kafka/records";
import { prepareEvents } from "@/lib/services/events/ingest";
import { countProduced } from "../support/clients";
import { expectExactlyOnce, waitForZeroLag } from "../support/exactness";
import { startLoad } from "../support/load";
import {
  pauseKafka,
  resumeKafka,
  startKafka,
  startPostgres,
  startRedis,
  stopKafka,
  stopPostgres,
  stopRedis,
} from "../support/servers";
import { useFaultSuite } from "../support/fault-suite";
import { waitFor } from "../support/wait-for";
import { produceRecords } from "../support/produce-records";

/** How long each dependency stays down (the drill is 30 s; bounded here for CI time). */
const OUTAGE_MS = 15_000;
const WINDOW_SIZES = [60, 10];
const TYPES = ["click", "purchase"];

const suite = useFaultSuite(WINDOW_SIZES, { EVENT_TYPES: TYPES.join(","), ALLOWED_LATENESS_MS: "10000" });
const { tag, sql, kafka } = suite;

/** The outage itself: the dependency stays down this long, whatever else happens. */
const holdOutage = () => new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));

async function timedGet(path: string): Promise<{ status: number; code: string | undefined; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${suite.stack().baseUrl}${path}`, {
    headers: suite.auth("viewer"),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code, ms: performance.now() - started };
}

/** Milliseconds until `path` answers 200 again. */
async function msUntilAnswering(path: string): Promise<number> {
  const started = performance.now();
  await waitFor(async () => (await timedGet(path)).status === 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: `${path} to answer 200`,
  });
  return performance.now() - started;
}

describe("dependency restarts under load", () => {
  it("PostgreSQL stopped and started: ingest goes on, queries answer 503 fast then recover, workers resume", async ({
    annotate,
  }) => {
    const region = `pg-${tag}`;
    const eventsQuery = `/api/events?region=${region}&limit=1`;
    const load = startLoad(suite.stack().baseUrl, {
      ingestKey: suite.credentials().ingestKey,
      region,
      types: TYPES,
    });
    await load.nextAck();
    await stopPostgres();
    try {
      await load.nextAck(); // ingest needs Kafka only
      const during = await timedGet(eventsQuery);
      expect(during).toMatchObject({ status: 503, code: "dependency_unavailable" });
      expect(during.ms).toBeLessThan(3_000);
      await annotate(`query during the outage: 503 in ${Math.round(during.ms)} ms`);
      await holdOutage();
    } finally {
      await startPostgres();
    }
    const recovered = await msUntilAnswering(eventsQuery);
    await annotate(`queries answer again ${Math.round(recovered)} ms after PostgreSQL accepts connections`);
    expect(recovered).toBeLessThan(5_000);
    const report = await load.stop();
    expect(Object.keys(report.statuses)).toEqual(["202"]);
    await suite.expectExactAndCaughtUp(region, report);
    // it paused and resumed in place: no worker process was replaced
    for (const role of ["processor", "anomaly", "alerts"] as const)
      expect(suite.stack().process(role).exitCode).toBeNull();
    expect(await suite.stack().log("processor")).toContain("postgres_unavailable_pausing");
  });

  it("Redis stopped and started: ingest and PostgreSQL queries go on, live metrics answer 503 fast then recover", async ({
    annotate,
  }) => {
    const region = `redis-${tag}`;
    const live = "/api/metrics/realtime?seconds=10";
    const load = startLoad(suite.stack().baseUrl, {
      ingestKey: suite.credentials().ingestKey,
      region,
      types: TYPES,
    });
    await load.nextAck();
    await stopRedis();
    try {
      await load.nextAck();
      const during = await timedGet(live);
      expect(during).toMatchObject({ status: 503, code: "dependency_unavailable" });
      expect(during.ms).toBeLessThan(3_000);
      await annotate(`live metrics during the outage: 503 in ${Math.round(during.ms)} ms`);
      expect((await timedGet(`/api/events?region=${region}&limit=1`)).status).toBe(200);
      await holdOutage();
    } finally {
      await startRedis();
    }
    const recovered = await msUntilAnswering(live);
    await annotate(`live metrics answer again ${Math.round(recovered)} ms after Redis answers`);
    expect(recovered).toBeLessThan(5_000);
    const report = await load.stop();
    expect(Object.keys(report.statuses)).toEqual(["202"]);
    await suite.expectExactAndCaughtUp(region, report);
    for (const role of ["processor", "anomaly", "alerts"] as const)
      expect(suite.stack().process(role).exitCode).toBeNull();
  });

  it("Kafka broker stopped and started: 503 with Retry-After while down, never a 202 that is lost", async ({
    annotate,
  }) => {
    const region = `kafka-${tag}`;
    const load = startLoad(suite.stack().baseUrl, {
      ingestKey: suite.credentials().ingestKey,
      region,
      types: TYPES,
    });
    await load.nextAck();
    await stopKafka();
    try {
      await waitFor(() => (load.report.statuses["503"] ?? 0) > 0, {
        timeoutMs: 30_000,
        what: "ingest to answer 503 while the broker is down",
      });
      await holdOutage();
    } finally {
      await startKafka();
    }
    const brokerBack = performance.now();
    await load.nextAck();
    await annotate(
      `ingest acknowledges again ${Math.round(performance.now() - brokerBack)} ms after the broker is up`,
    );
    const report = await load.stop();
    expect(Object.keys(report.statuses).sort()).toEqual(["202", "503"]);
    expect(report.abandoned).toBe(0);
    await suite.expectExactAndCaughtUp(region, report);
    for (const role of ["processor", "anomaly", "alerts"] as const)
      expect(suite.stack().process(role).exitCode).toBeNull();
  });

  it("a retry after a 503 is stored once when the original reaches Kafka late, whatever the retry left out", async () => {
    const region = `retry-${tag}`;
    const prefix = suite.stack().env.KAFKA_TOPIC_PREFIX ?? "";
    // one type and one user: each request is one Kafka record, so the copies can be counted
    const serverIds = Array.from({ length: 20 }, (_, i) => ({
      event_type: "click",
      region,
      user_id: `retry-user-${tag}`,
      value: i,
    }));
    const clientIds = serverIds.map((event, i) => ({ ...event, event_id: `${region}-own-${i}` }));
    const before = await countProduced(kafka, prefix);
    await pauseKafka();
    let original: { status: number; event_ids: string[] }[] = [];
    try {
      original = await Promise.all(
        [serverIds, clientIds].map(async (events) => {
          const response = await fetch(`${suite.stack().baseUrl}/api/events`, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...suite.auth("ingest") },
            body: JSON.stringify(events),
          });
          const body = (await response.json()) as { event_ids: string[] };
          expect(response.status, JSON.stringify(body)).toBe(503);
          expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
          return { status: response.status, event_ids: body.event_ids };
        }),
      );
    } finally {
      await resumeKafka();
    }
    expect(original.map((answer) => answer.status)).toEqual([503, 503]);
    // the retries: the ids from the 503's body, no timestamp, some time later
    const retried = [
      serverIds.map((event, i) => ({ ...event, event_id: original[0]?.event_ids[i] })),
      clientIds,
    ];
    const acked = new Set<string>();
    for (const events of retried) {
      await waitFor(
        async () => {
          const response = await fetch(`${suite.stack().baseUrl}/api/events`, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...suite.auth("ingest") },
            body: JSON.stringify(events),
          });
          if (response.status !== 202) return false;
          ((await response.json()) as { event_ids: string[] }).event_ids.forEach((id) => acked.add(id));
          return true;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "the retry to be acknowledged" },
      );
    }
    // both copies of both requests reached Kafka: the late originals and the retries
    await waitFor(async () => (await countProduced(kafka, prefix)) - before >= 4, {
      timeoutMs: 60_000,
      what: "the paused originals to reach Kafka",
    });
    expect(acked.size).toBe(40);
    await suite.expectExactAndCaughtUp(region, { acked, attempted: acked });
  });

  it("a retry stored before its original is not stored again when the original reaches Kafka minutes later", async () => {
    // The original's produce outlived its 503 (kafkajs still retrying it) and lands after the
    // client's retry: the original is made as the route makes it, and produced after the retry.
    const region = `late-original-${tag}`;
    const receivedAt = Date.now() - 90_000;
    const original = prepareEvents({
      body: JSON.stringify(
        Array.from({ length: 10 }, (_, i) => ({ event_type: "click", region, user_id: `lo-${i}`, value: i })),
      ),
      contentType: "application/json",
      receivedAt,
      correlationId: `late-original-${tag}`,
      userAgent: undefined,
      projectId: "default",
    });
    const ids = original.map((event) => event.event_id);
    // the retry: the 503's ids, no timestamp
    const retry = await fetch(`${suite.stack().baseUrl}/api/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...suite.auth("ingest") },
      body: JSON.stringify(
        original.map(({ event_id, event_type, user_id, value }) => ({
          event_id,
          event_type,
          region,
          user_id,
          value,
        })),
      ),
    });
    expect(retry.status).toBe(202);
    await waitFor(
      async () => {
        const [row] = await sql<
          { n: number }[]
        >`select count(*)::int as n from raw_events where region = ${region}`;
        return row?.n === ids.length;
      },
      { timeoutMs: 60_000, what: "the retry to be stored" },
    );
    const prefix = suite.stack().env.KAFKA_TOPIC_PREFIX ?? "";
    const records = packEvents(
      original,
      (event) => topicForType(event.event_type, { prefix, eventTypes: TYPES }),
      () => undefined,
      { correlationId: `late-original-${tag}`, receivedAt, source: { api_version: 1 }, projectId: "default" },
    );
    await produceRecords(kafka, records);
    await waitForZeroLag(sql, kafka, suite.stack().env.PROCESSOR_GROUP_ID ?? "", prefix);
    await expectExactlyOnce(sql, [region], { acked: new Set(ids), attempted: new Set(ids) }, WINDOW_SIZES);
  });
});

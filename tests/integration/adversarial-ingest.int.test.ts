/**
 * What clients can send on purpose or by accident must not bend the numbers: clocks that
 * run fast, a thousand new types and regions in one request, events minutes behind.
 */
import { randomBytes, randomInt } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { topicForType } from "@/lib/events/routing";
import { packEvents } from "@/lib/kafka/records";
import { prepareEvents } from "@/lib/services/events/ingest";
import { authHeaders, countProduced, postEvents, testClients } from "../support/clients";
import { findAggregateMismatches } from "../support/exactness";
import { isolatedEnv, ProcessorFleet } from "../support/processors";
import { waitFor } from "../support/wait-for";
import { produceRecords } from "../support/produce-records";

const clients = testClients();
const fleet = new ProcessorFleet();
afterAll(async () => {
  fleet.killAll();
  await clients.close();
});

const MIN = 60_000;
const LATENESS_MS = 2 * MIN; // the test stack's ALLOWED_LATENESS_MS (the default)
const SIZES = [300, 60];

async function storedCount(region: string): Promise<number> {
  const [row] = await clients.sql<
    { n: number }[]
  >`select count(*)::int as n from raw_events where region = ${region}`;
  return row?.n ?? 0;
}

async function waitForStored(region: string, count: number): Promise<void> {
  await waitFor(async () => (await storedCount(region)) >= count, {
    timeoutMs: 60_000,
    what: `${count} events of ${region} stored`,
  });
}

/** Whether every series' window of this size holding `time` is closed (its all-series row is). */
async function windowClosed(size: number, time: number): Promise<boolean> {
  const start = new Date(Math.floor(time / (size * 1000)) * size * 1000);
  const [row] = await clients.sql<{ closed: boolean }[]>`
    select closed_at is not null as closed from aggregations
    where window_seconds = ${size} and event_type = '*' and region = '*' and window_start = ${start}`;
  return row?.closed === true;
}

describe("adversarial ingest", () => {
  it("clients stamping now + 5 min on every partition do not make honest events late", async () => {
    const tag = randomBytes(3).toString("hex");
    const honest = `honest-${tag}`;
    const fast = `fast-${tag}`;
    let honestSent = 0;
    let fastSent = 0;
    for (let round = 0; round < 10; round++) {
      // random users: the fast clocks reach every partition of every topic
      const ahead = Array.from({ length: 60 }, () => ({
        event_type: "click",
        region: fast,
        user_id: `f${randomInt(1_000_000)}`,
        timestamp: Date.now() + 5 * MIN - 5_000,
      }));
      const now = Array.from({ length: 60 }, () => ({
        event_type: "click",
        region: honest,
        user_id: `h${randomInt(1_000_000)}`,
        value: randomInt(100),
      }));
      expect((await postEvents(clients.baseUrl, ahead)).status).toBe(202);
      expect((await postEvents(clients.baseUrl, now)).status).toBe(202);
      fastSent += ahead.length;
      honestSent += now.length;
      // two closer passes between rounds: a pushed watermark would close the honest windows now
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitForStored(honest, honestSent);
    await waitForStored(fast, fastSent);
    const [late] = await clients.sql<{ n: number }[]>`
      select count(*)::int as n from raw_events where region = ${honest} and late`;
    expect(late?.n).toBe(0);
    // and the honest windows are still open: nothing closed them early
    const [closed] = await clients.sql<{ n: number }[]>`
      select count(*)::int as n from aggregations where region = ${honest} and closed_at is not null`;
    expect(closed?.n).toBe(0);
    expect(await findAggregateMismatches(clients.sql, [honest, fast], SIZES)).toEqual([]);
  });

  it("events 1.5, 3.5 and 6 minutes behind the newest count in exactly the windows still open", async () => {
    const tag = randomBytes(3).toString("hex");
    const region = `behind-${tag}`;
    const send = async (events: Record<string, unknown>[]) =>
      expect((await postEvents(clients.baseUrl, events)).status).toBe(202);
    // anchors: the older probes' windows get rows, so the closer has something to close
    // 6 minutes behind, or more: far enough that its 5-minute window has certainly ended too
    const start = Date.now();
    const fiveMinutesClosed = Math.floor((start - LATENESS_MS - 20_000) / (5 * MIN)) * 5 * MIN - 30_000;
    const older = [start - 3.5 * MIN, Math.min(start - 6 * MIN, fiveMinutesClosed)];
    await send(older.map((time) => ({ event_type: "click", region: `anchor-${tag}`, timestamp: time })));
    /**
     * Each window of a probe is made certain before the probe is written: one whose end is
     * past, or within 20 s of, the watermark (now minus the lateness) is waited for until it is
     * closed; any other stays open for at least the next 15 s (the watermark can run at most
     * the skew, 5 s, ahead of now minus the lateness).
     */
    const settle = async (time: number): Promise<number[]> => {
      const late: number[] = [];
      for (const size of [...SIZES].sort((x, y) => x - y)) {
        const end = (Math.floor(time / (size * 1000)) + 1) * size * 1000;
        if (end > Date.now() - LATENESS_MS + 20_000) continue;
        await waitFor(() => windowClosed(size, time), {
          timeoutMs: 90_000,
          intervalMs: 250,
          what: `the ${size} s window of ${new Date(time).toISOString()} to close`,
        });
        late.push(size);
      }
      return late;
    };
    const expectedLate = [await settle(older[0] ?? 0), await settle(older[1] ?? 0)];
    const probes = [Date.now() - 1.5 * MIN, ...older];
    expectedLate.unshift(await settle(probes[0] ?? 0));
    await send(probes.map((time, i) => ({ event_type: "purchase", region, timestamp: time, value: i + 1 })));
    await waitForStored(region, probes.length);
    const rows = await clients.sql<{ value: number; late: boolean; late_windows: number[] | null }[]>`
      select value, late, late_windows from raw_events where region = ${region} order by value`;
    expect(rows.map((row) => row.late_windows ?? [])).toEqual(expectedLate);
    expect(rows.map((row) => row.late)).toEqual(expectedLate.map((sizes) => sizes.length > 0));
    // 1.5 minutes behind is late for no window, 3.5 for its minute (its 5 minutes depend on
    // the clock), 6 for both
    expect(expectedLate[0]).toEqual([]);
    expect(expectedLate[1]).toContain(60);
    expect(expectedLate[2]).toEqual([60, 300]);
    expect(await findAggregateMismatches(clients.sql, [region], SIZES)).toEqual([]);
  });

  it("a thousand new types and regions in one request are accepted, stored as sent, and aggregated in bounded series", async () => {
    const tag = randomBytes(3).toString("hex");
    const limit = 10;
    const env = isolatedEnv(clients.env, tag, {
      EVENT_TYPES: "click",
      AGGREGATION_REGION_LIMIT: String(limit),
    });
    const processor = fleet.start(`bounded-${tag}`, env);
    const receivedAt = Date.now();
    const body = Array.from({ length: 1000 }, (_, i) => ({
      event_type: `t${i}-${tag}`,
      region: `r${i}-${tag}`,
      user_id: `u${i}`,
      value: 1,
    }));
    // the route's own records, on the isolated processor's topics
    const events = prepareEvents({
      body: JSON.stringify(body),
      contentType: "application/json",
      receivedAt,
      correlationId: `bounded-${tag}`,
      userAgent: undefined,
      projectId: "default",
    });
    const prefix = env.KAFKA_TOPIC_PREFIX ?? "";
    const records = packEvents(
      events,
      (event) => topicForType(event.event_type, { prefix, eventTypes: ["click"] }),
      () => undefined,
      { correlationId: `bounded-${tag}`, receivedAt, source: { api_version: 1 }, projectId: "default" },
    );
    await produceRecords(clients.kafka, records);
    await waitFor(
      async () => {
        const [row] = await clients.sql<{ n: number }[]>`
          select count(*)::int as n from raw_events where correlation_id = ${`bounded-${tag}`}`;
        return row?.n === 1000;
      },
      { timeoutMs: 90_000, what: "the 1,000 events stored" },
    );
    // raw events keep what was sent
    const [distinct] = await clients.sql<{ types: number; regions: number }[]>`
      select count(distinct event_type)::int as types, count(distinct region)::int as regions
      from raw_events where correlation_id = ${`bounded-${tag}`}`;
    expect(distinct).toEqual({ types: 1000, regions: 1000 });
    // aggregates: `limit` regions of their own plus "other", one type "other" plus "*"
    const regions = await clients.sql<{ region: string }[]>`
      select region from aggregation_regions where scope = ${env.PROCESSOR_GROUP_ID ?? ""}`;
    expect(regions).toHaveLength(limit);
    const admitted = regions.map((row) => row.region);
    const rows = await clients.sql<
      { window_seconds: number; event_type: string; region: string; n: string }[]
    >`
      select window_seconds, event_type, region, sum(event_count)::int8 as n from aggregations
      where (region = any(${admitted}) or region = 'other')
        and window_start >= ${new Date(receivedAt - 600_000)} and event_type in ('*', 'other')
        and updated_at >= ${new Date(receivedAt - 60_000)}
      group by 1, 2, 3`;
    const ownRows = await clients.sql<{ n: number }[]>`
      select count(*)::int as n from aggregations where region like ${`%-${tag}`} or event_type like ${`%-${tag}`}`;
    // at most: 2 sizes x (limit + other) regions x (other + *) types; the raw request would have made 6,000
    expect(ownRows[0]?.n).toBeLessThanOrEqual(2 * limit * 2);
    for (const size of SIZES) {
      const total = rows
        .filter((row) => row.window_seconds === size && row.event_type === "*")
        .reduce((sum, row) => sum + Number(row.n), 0);
      expect(total).toBe(1000);
      const other = rows.find(
        (row) => row.window_seconds === size && row.event_type === "*" && row.region === "other",
      );
      expect(Number(other?.n)).toBe(1000 - limit);
    }
    await fleet.killHard(processor);
  });

  it("text PostgreSQL cannot store is refused at ingest, and a record holding it that reaches a topic is dead-lettered while the events after it are stored", async () => {
    const tag = randomBytes(3).toString("hex");
    // 1. the route: 400 naming the field, and nothing of the request produced
    const producedBefore = await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "");
    for (const [bad, path] of [
      [{ properties: { note: "a\u0000b" } }, "properties.note"],
      [{ user_id: "\ud800" }, "user_id"],
      [{ properties: { ["k\u0000"]: 1 } }, 'properties["k\\u0000"]'],
    ] as const) {
      const refused = await postEvents(clients.baseUrl, [
        { event_type: "click", user_id: `ok-${tag}` },
        { event_type: "click", ...bad },
      ]);
      expect(refused.status).toBe(400);
      const error = refused.body.error as { code: string; details: { index: number; path: string }[] };
      expect(error.code).toBe("validation_failed");
      expect(error.details).toEqual([expect.objectContaining({ index: 1, path })]);
    }
    expect(await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "")).toBe(producedBefore);

    // 2. a record that holds such an event anyway (an older version's, anyone who can write to
    // the topic): it is dead-lettered, and its partition goes on being stored
    const env = isolatedEnv(clients.env, tag, { EVENT_TYPES: "click" });
    const processor = fleet.start(`unstorable-${tag}`, env);
    const prefix = env.KAFKA_TOPIC_PREFIX ?? "";
    const receivedAt = Date.now();
    const correlationId = `unstorable-${tag}`;
    const prepare = (body: unknown[]) =>
      prepareEvents({
        body: JSON.stringify(body),
        contentType: "application/json",
        receivedAt,
        correlationId,
        userAgent: undefined,
        projectId: "default",
      });
    // one user: every record on one partition, in this order
    const [first, bad] = prepare([
      { event_type: "click", user_id: `u-${tag}`, event_id: `first-${tag}` },
      { event_type: "click", user_id: `u-${tag}`, event_id: `bad-${tag}`, properties: { note: "ok" } },
    ]);
    const [after] = prepare([{ event_type: "click", user_id: `u-${tag}`, event_id: `after-${tag}` }]);
    if (!first || !bad || !after) throw new Error("prepareEvents dropped an event");
    bad.properties = { note: "a\u0000b" };
    const context = { correlationId, receivedAt, source: { api_version: 1 as const }, projectId: "default" };
    const toTopic = (event: { event_type: string }) =>
      topicForType(event.event_type, { prefix, eventTypes: ["click"] });
    const records = [
      ...packEvents([first, bad], toTopic, () => undefined, context),
      ...packEvents([after], toTopic, () => undefined, context),
    ];
    await produceRecords(clients.kafka, records);
    await waitFor(
      async () => {
        const rows = await clients.sql<{ event_id: string }[]>`
          select event_id from raw_events where correlation_id = ${correlationId} order by event_id`;
        return rows.length === 2;
      },
      { timeoutMs: 60_000, what: "the two storable events stored" },
    );
    const stored = await clients.sql<{ event_id: string }[]>`
      select event_id from raw_events where correlation_id = ${correlationId} order by event_id`;
    expect(stored.map((row) => row.event_id)).toEqual([`after-${tag}`, `first-${tag}`]);
    // the bad one waits in the dead-letter topic, with the reason
    const deadLetters: string[] = [];
    const consumer = clients.kafka.consumer({ groupId: `dlq-${tag}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}events.dead-letter`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        deadLetters.push(`${message.value?.toString() ?? ""} ${JSON.stringify(message.headers ?? {})}`);
      },
    });
    try {
      await waitFor(async () => deadLetters.some((text) => text.includes(`bad-${tag}`)), {
        timeoutMs: 30_000,
        what: "the unstorable event in the dead-letter topic",
      });
    } finally {
      await consumer.disconnect();
    }
    await fleet.killHard(processor);
  });

  it("an event PostgreSQL refuses for a reason no check knows is dead-lettered alone: the events around it, in the same record too, are stored once and aggregated exactly", async () => {
    const tag = randomBytes(3).toString("hex");
    const region = `refused-${tag}`;
    // a constraint an operator added, as a trigger (a CHECK on the partitioned table would
    // check every stored row): it refuses this test's marked events only
    const fn = `test_refuse_${tag}`;
    await clients.sql.unsafe(`
      create function ${fn}() returns trigger language plpgsql as $$
      begin
        if new.event_id like 'refuse-me-${tag}-%' then
          raise exception using errcode = 'check_violation', message = 'refused by a test constraint';
        end if;
        return new;
      end $$`);
    await clients.sql.unsafe(
      `create trigger ${fn} before insert on raw_events for each row execute function ${fn}()`,
    );
    try {
      const env = isolatedEnv(clients.env, tag, { EVENT_TYPES: "click" });
      const processor = fleet.start(`refused-${tag}`, env);
      const prefix = env.KAFKA_TOPIC_PREFIX ?? "";
      const receivedAt = Date.now();
      const correlationId = `refused-${tag}`;
      const event = (id: string) => ({ event_type: "click", user_id: `u-${tag}`, region, event_id: id });
      const prepare = (ids: string[]) =>
        prepareEvents({
          body: JSON.stringify(ids.map(event)),
          contentType: "application/json",
          receivedAt,
          correlationId,
          userAgent: undefined,
          projectId: "default",
        });
      const context = {
        correlationId,
        receivedAt,
        source: { api_version: 1 as const },
        projectId: "default",
      };
      const toTopic = (e: { event_type: string }) =>
        topicForType(e.event_type, { prefix, eventTypes: ["click"] });
      const ok = (n: number) => `ok-${tag}-${n}`;
      const bad = (n: number) => `refuse-me-${tag}-${n}`;
      // one user: every record on one partition, in this order; the first packs a refused
      // event between two good ones
      const records = [[ok(1), bad(1), ok(2)], [ok(3)], [bad(2)], [ok(4), ok(5)]].flatMap((ids) =>
        packEvents(prepare(ids), toTopic, () => undefined, context),
      );
      expect(records).toHaveLength(4);
      await produceRecords(clients.kafka, records);
      const good = [1, 2, 3, 4, 5].map(ok);
      await waitFor(async () => (await storedCount(region)) >= good.length, {
        timeoutMs: 60_000,
        what: "the five events around the refused ones stored",
      });
      const stored = await clients.sql<{ event_id: string; n: number }[]>`
        select event_id, count(*)::int as n from raw_events where region = ${region} group by event_id order by event_id`;
      expect(stored).toEqual(good.sort().map((id) => ({ event_id: id, n: 1 })));
      expect(await findAggregateMismatches(clients.sql, [region], SIZES)).toEqual([]);
      const [counted] = await clients.sql<{ n: number }[]>`
        select coalesce(sum(event_count), 0)::int as n from aggregations
        where region = ${region} and window_seconds = 60 and event_type = 'click'`;
      expect(counted?.n).toBe(good.length);

      // the refused events wait in the dead-letter topic, each once, with the reason
      const deadLetters: { value: string; reason: string }[] = [];
      const consumer = clients.kafka.consumer({ groupId: `dlq-${tag}` });
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}events.dead-letter`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          deadLetters.push({
            value: message.value?.toString() ?? "",
            reason: message.headers?.["x-dead-letter-reason"]?.toString() ?? "",
          });
        },
      });
      try {
        await waitFor(async () => deadLetters.length >= 2, {
          timeoutMs: 30_000,
          what: "the two refused events in the dead-letter topic",
        });
      } finally {
        await consumer.disconnect();
      }
      // (the dead-letter topic's partitions may hand them over in either order)
      expect(deadLetters.map((d) => [1, 2].find((n) => d.value.includes(bad(n)))).sort()).toEqual([1, 2]);
      for (const { reason } of deadLetters)
        expect(reason).toMatch(/^refused_by_database: 23514 refused by a test constraint/);
      await fleet.killHard(processor);
    } finally {
      await clients.sql.unsafe(`drop trigger if exists ${fn} on raw_events`);
      await clients.sql.unsafe(`drop function if exists ${fn}()`);
    }
  });

  it("the System page's data says when events of unconfigured types are aggregated as other", async () => {
    const region = `unconfigured-${randomBytes(3).toString("hex")}`;
    expect((await postEvents(clients.baseUrl, [{ event_type: "not-configured-type", region }])).status).toBe(
      202,
    );
    await waitForStored(region, 1);
    const response = await fetch(`${clients.baseUrl}/api/system`, { headers: authHeaders("viewer") });
    const body = (await response.json()) as { cardinality: Record<string, unknown> };
    expect(body.cardinality).toMatchObject({
      region_limit: 200,
      region_limit_reached: false,
      unconfigured_types_last_hour: true,
    });
    const [row] = await clients.sql<{ event_type: string }[]>`
      select event_type from aggregations where region = ${region} and event_type <> '*' limit 1`;
    expect(row?.event_type).toBe("other");
  });
});

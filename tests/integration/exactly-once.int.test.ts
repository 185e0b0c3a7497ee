import { randomBytes, randomInt } from "node:crypto";
import { Partitioners } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { enrichEvent } from "@/lib/events/enrich";
import { partitionKeyFor, topicForType } from "@/lib/events/routing";
import { createTraffic } from "@/lib/simulation/traffic";
import { testClients } from "../support/clients";
import { isolatedEnv, ProcessorFleet } from "../support/processors";
import { waitFor } from "../support/wait-for";

const clients = testClients();
const fleet = new ProcessorFleet();
afterAll(async () => {
  fleet.killAll();
  await clients.close();
});

const TYPES = ["page_view", "click", "purchase", "signup", "error"];
const TOTAL = 50_000;
const envFor = (tag: string) => isolatedEnv(clients.env, tag, { EVENT_TYPES: TYPES.join(",") });

/** Produces TOTAL events straight into Kafka, in batches, while `whileProducing` kills processors. */
async function produceKnownSet(tag: string, regions: string[]): Promise<Set<string>> {
  const traffic = createTraffic({ seed: randomInt(1_000_000), regions, types: TYPES });
  const producer = clients.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const ids = new Set<string>();
  const prefix = `iso-${tag}.`;
  for (let sent = 0; sent < TOTAL; sent += 1000) {
    const now = Date.now();
    const events = traffic
      .batch(1000)
      .map((input) =>
        enrichEvent(
          { input, timestamp: now - randomInt(60_000) },
          { receivedAt: now, correlationId: `eo-${tag}`, userAgent: "exactly-once-test" },
        ),
      );
    await producer.sendBatch({
      acks: -1,
      topicMessages: TYPES.map((type) => ({
        topic: topicForType(type, { prefix, eventTypes: TYPES }),
        messages: events
          .filter((event) => event.event_type === type)
          .map((event) => ({ key: partitionKeyFor(event), value: JSON.stringify(event) })),
      })),
    });
    for (const event of events) ids.add(event.event_id);
    await new Promise((resolve) => setTimeout(resolve, 20)); // spread the load over the kills
  }
  await producer.disconnect();
  return ids;
}

/** Every aggregation row of these regions equals the figures SQL recomputes from raw_events. */
async function findAggregateMismatches(regions: string[]): Promise<Record<string, unknown>[]> {
  const sql = clients.sql;
  const rows = await sql<Record<string, unknown>[]>`
    with raw as (
      select date_bin(make_interval(secs => s.size), r.event_time, timestamptz 'epoch') as window_start,
             s.size as window_seconds, r.event_type, r.region, r.value
      from raw_events r cross join unnest(array[60, 300]) as s(size)
      where r.region in ${sql(regions)} and not r.late
    ),
    expected as (
      select window_start, window_seconds,
             case when grouping(event_type) = 1 then '*' else event_type end as event_type,
             region, count(*)::int8 as event_count, count(value)::int8 as value_count,
             sum(value) as value_sum, min(value) as value_min, max(value) as value_max
      from raw group by window_seconds, window_start, region, grouping sets ((event_type), ())
    ),
    actual as (
      select window_start, window_seconds, event_type, region, event_count, value_count, value_sum, value_min, value_max
      from aggregations where region in ${sql(regions)}
    )
    select coalesce(e.window_start, a.window_start) as window_start, coalesce(e.event_type, a.event_type) as event_type,
           coalesce(e.region, a.region) as region, e.event_count as expected_count, a.event_count as actual_count
    from expected e full join actual a using (window_start, window_seconds, event_type, region)
    where e.event_count is distinct from a.event_count
       or e.value_count is distinct from a.value_count
       or e.value_min is distinct from a.value_min
       or e.value_max is distinct from a.value_max
       or abs(coalesce(e.value_sum, 0) - coalesce(a.value_sum, 0)) > 1e-6 * greatest(1, abs(coalesce(e.value_sum, 0)))
    limit 20`;
  return [...rows];
}

async function storedIds(regions: string[]): Promise<string[]> {
  const rows = await clients.sql<
    { event_id: string }[]
  >`select event_id from raw_events where region in ${clients.sql(regions)}`;
  return rows.map((row) => row.event_id);
}

async function expectExactlyOnce(regions: string[], sent: Set<string>): Promise<void> {
  await waitFor(async () => (await storedIds(regions)).length >= sent.size, {
    timeoutMs: 180_000,
    intervalMs: 500,
    what: `${sent.size} events in raw_events`,
  });
  const stored = await storedIds(regions);
  expect(stored.length).toBe(sent.size);
  expect(new Set(stored)).toEqual(sent);
  expect(await findAggregateMismatches(regions)).toEqual([]);
}

describe("exactly-once effect under faults", () => {
  it("keeps raw_events and aggregations exact when the processor is killed at random moments", async () => {
    const tag = randomBytes(3).toString("hex");
    const env = envFor(tag);
    const regions = [`k1-${tag}`, `k2-${tag}`, `k3-${tag}`];
    let processor = fleet.start(`eo-single-${tag}`, env);
    const producing = produceKnownSet(tag, regions);
    for (let kill = 0; kill < 4; kill++) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(1500, 4000)));
      await fleet.killHard(processor);
      processor = fleet.start(`eo-single-${tag}`, env);
    }
    const sent = await producing;
    await expectExactlyOnce(regions, sent);
    await fleet.killHard(processor);
  });

  it("stays exact when PostgreSQL drops the processor's connection in the middle of its writes", async () => {
    const tag = randomBytes(3).toString("hex");
    const env = envFor(tag);
    const regions = [`d1-${tag}`, `d2-${tag}`, `d3-${tag}`];
    const processor = fleet.start(`eo-drop-${tag}`, env);
    const producing = produceKnownSet(tag, regions);
    // past its start-up (a failed start-up exits, for the supervisor to restart)
    await waitFor(async () => (await storedIds(regions)).length > 0, {
      timeoutMs: 60_000,
      what: "the processor's first stored events",
    });
    for (let drop = 0; drop < 3; drop++) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(1500, 3500)));
      // a session of this processor that is inside a statement or transaction right now
      await waitFor(
        async () => {
          const rows = await clients.sql<{ terminated: boolean }[]>`
            select pg_terminate_backend(pid) as terminated from pg_stat_activity
            where application_name = ${`analytics-processor:${processor.pid}`}
              and state in ('active', 'idle in transaction')`;
          return rows.some((row) => row.terminated);
        },
        { timeoutMs: 30_000, intervalMs: 10, what: "a processor session in a transaction to terminate" },
      );
    }
    const sent = await producing;
    await expectExactlyOnce(regions, sent);
    // it recovered in place: the failed write replaced the consumer, not the process
    expect(processor.exitCode).toBeNull();
    await fleet.killHard(processor);
  });

  it("stays exact with two processors sharing the partitions while one is killed (rebalances)", async () => {
    const tag = randomBytes(3).toString("hex");
    const env = envFor(tag);
    const regions = [`r1-${tag}`, `r2-${tag}`, `r3-${tag}`];
    const steady = fleet.start(`eo-steady-${tag}`, env);
    let victim = fleet.start(`eo-victim-${tag}`, env);
    const producing = produceKnownSet(tag, regions);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(2000, 5000)));
      await fleet.killHard(victim);
      victim = fleet.start(`eo-victim-${tag}`, env);
    }
    const sent = await producing;
    await expectExactlyOnce(regions, sent);
    await fleet.killHard(victim);
    await fleet.killHard(steady);
  });
});

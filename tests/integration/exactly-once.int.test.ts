import { randomBytes, randomInt } from "node:crypto";
import { Partitioners } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { topicForType } from "@/lib/events/routing";
import { packEvents } from "@/lib/kafka/records";
import { prepareEvents } from "@/lib/services/events/ingest";
import { createTraffic } from "@/lib/simulation/traffic";
import { testClients } from "../support/clients";
import { isolatedEnv, ProcessorFleet } from "../support/processors";
import { expectExactlyOnce as expectStoredOnce, findAllRegionRollupMismatches } from "../support/exactness";
import { waitFor } from "../support/wait-for";

const clients = testClients();
const fleet = new ProcessorFleet();
afterAll(async () => {
  fleet.killAll();
  await clients.close();
});

const TYPES = ["page_view", "click", "purchase", "signup", "error"];
const TOTAL = 50_000;
/** Small windows and lateness, so windows close (and events arrive late) while processors die. */
const WINDOW_SIZES = [20, 10];
const envFor = (tag: string) =>
  isolatedEnv(clients.env, tag, {
    EVENT_TYPES: TYPES.join(","),
    WINDOW_SIZES_SECONDS: WINDOW_SIZES.join(","),
    ALLOWED_LATENESS_MS: "5000",
    IDLE_PARTITION_MS: "5000",
  });

/**
 * Produces TOTAL events straight into Kafka as the ingest route does (validated, made into
 * its packed records, a partition's events in one record), in requests of 1,000, while the
 * test kills processors. Most events are recent; one in twenty is 40-60 s old, in windows the
 * first request opens and the closer then closes: once it has (the first request waits for
 * it), those events are late for certain, while processors die.
 */
/** Waits until a window of these regions has been closed (the first request's old events opened some). */
async function waitForClosedWindow(regions: string[]): Promise<void> {
  await waitFor(
    async () =>
      (
        await clients.sql`
          select 1 from aggregations where region in ${clients.sql(regions)} and closed_at is not null limit 1`
      ).length > 0,
    { timeoutMs: 90_000, intervalMs: 200, what: "a window of the old events to close" },
  );
}

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
  // the topics exist before the first send, whether or not the processor, killed at random
  // moments, got as far as creating them (a send to a missing topic fails after its retries)
  const admin = clients.kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: TYPES.map((type) => ({
      topic: topicForType(type, { prefix, eventTypes: TYPES }),
      numPartitions: 6,
    })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  const oldest = Date.now() - 60_000;
  for (let sent = 0; sent < TOTAL; sent += 1000) {
    const receivedAt = Date.now();
    if (sent === 1000) await waitForClosedWindow(regions);
    const body = traffic.batch(1000).map((input) => ({
      ...input,
      timestamp: randomInt(20) === 0 ? oldest + randomInt(20_000) : receivedAt - randomInt(3_000),
    }));
    const events = prepareEvents({
      body: JSON.stringify(body),
      contentType: "application/json",
      receivedAt,
      correlationId: `eo-${tag}`,
      userAgent: "exactly-once-test",
      projectId: "default",
    });
    const records = packEvents(
      events,
      (event) => topicForType(event.event_type, { prefix, eventTypes: TYPES }),
      () => 6, // KAFKA_PARTITIONS of the isolated topics: records are packed per partition, as the route packs them
      { correlationId: `eo-${tag}`, receivedAt, source: { api_version: 1 }, projectId: "default" },
    );
    const byTopic = new Map<
      string,
      { partition?: number; key: string; value: string; headers: Record<string, string> }[]
    >();
    for (const { topic, partition, key, value, headers } of records) {
      const list = byTopic.get(topic) ?? [];
      list.push({ ...(partition === undefined ? {} : { partition }), key, value, headers });
      byTopic.set(topic, list);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const event of events) ids.add(event.event_id);
    await new Promise((resolve) => setTimeout(resolve, 20)); // spread the load over the kills
  }
  await producer.disconnect();
  return ids;
}

async function expectExactlyOnce(regions: string[], sent: Set<string>): Promise<void> {
  // events produced straight into Kafka: every one sent is acknowledged
  await expectStoredOnce(clients.sql, regions, { acked: sent, attempted: sent }, WINDOW_SIZES);
  // the closers closed windows during the kills, and some events came too late for them
  const [closed] = await clients.sql<{ windows: number; late: number }[]>`
    select (select count(*)::int from aggregations where region in ${clients.sql(regions)} and closed_at is not null) as windows,
           (select count(*)::int from raw_events where region in ${clients.sql(regions)} and late) as late`;
  expect(closed?.windows).toBeGreaterThan(0);
  expect(closed?.late).toBeGreaterThan(0);
  // the all-regions roll-ups too, over the span of this test's recent events (an earlier
  // test's events never fall in it): no other stack aggregates into windows of these sizes
  const [range] = await clients.sql<{ first: Date; last: Date }[]>`
    select min(event_time) as first, max(event_time) as last from raw_events
    where region in ${clients.sql(regions)} and received_at - event_time < interval '5 seconds'`;
  const largest = Math.max(...WINDOW_SIZES) * 1000;
  const from = new Date(Math.ceil((range?.first ?? new Date()).getTime() / largest) * largest);
  const to = new Date(Math.floor((range?.last ?? new Date()).getTime() / largest) * largest);
  expect(await findAllRegionRollupMismatches(clients.sql, regions, WINDOW_SIZES, from, to)).toEqual([]);
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
    await waitFor(
      async () =>
        (await clients.sql`select 1 from raw_events where region in ${clients.sql(regions)} limit 1`).length >
        0,
      {
        timeoutMs: 60_000,
        what: "the processor's first stored events",
      },
    );
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

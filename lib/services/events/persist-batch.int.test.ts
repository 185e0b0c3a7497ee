import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { enrichEvent } from "@/lib/events/enrich";
import { persistBatch, stageEvent } from "./persist-batch";
import { aggregationConfigFromEnv } from "./aggregation-config";

/** One 300 s window size; region admissions of a scope of this run's own (never full). */
const CONFIG_300 = {
  ...aggregationConfigFromEnv(),
  windowSizesSeconds: [300],
  scope: `test-${Math.random().toString(36).slice(2)}`,
};

afterAll(() => closeDb());

/** The 5-minute "click" aggregate of a region: its count and value sum. */
async function clickWindow(region: string) {
  const [row] = await getSql()<{ n: number; sum: number | null }[]>`
    select event_count::int as n, value_sum::float8 as sum from aggregations
    where window_seconds = 300 and event_type = 'click' and region = ${region}`;
  return row;
}

/** `count` click events of one region, valued 0..count-1, at one moment, staged for persistBatch. */
function clickBatch(region: string, count: number) {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) =>
    stageEvent({
      event: enrichEvent(
        { input: { event_type: "click", region, value: i }, timestamp: now },
        { receivedAt: now, correlationId: region, userAgent: undefined, projectId: "default" },
      ),
      partition: 0,
      offset: i,
      maybeClosed: false,
    }),
  );
}

describe("persistBatch", () => {
  it("stores awkward text exactly: tabs, newlines, backslashes, quotes, unicode, JSON escapes", async () => {
    const tag = randomBytes(3).toString("hex");
    const awkward = 'tab\there\nnew line \\ back\\slash "quoted" \\N null-ish \r ünïcødé 🚀 \\\\t';
    const now = Date.now();
    const event = enrichEvent(
      {
        input: {
          event_type: "click",
          user_id: `${awkward}-${tag}`,
          session_id: awkward.slice(0, 100),
          region: `awk-${tag}`,
          value: -0.5,
          properties: { note: awkward, nested: { list: [awkward, 1, null, true] } },
        },
        timestamp: now,
      },
      { receivedAt: now, correlationId: `c-${tag}`, userAgent: awkward, projectId: "default" },
    );
    const result = await persistBatch(
      getSql(),
      [stageEvent({ event, partition: 1, offset: 7, maybeClosed: false })],
      [],
      CONFIG_300,
    );
    expect(result.inserted).toBe(1);
    const [row] = await getSql()<
      { user_id: string; session_id: string; value: number; properties: unknown; source: unknown }[]
    >`
      select user_id, session_id, value, properties, source from raw_events where event_id = ${event.event_id}`;
    const [times] = await getSql()<{ event_ms: string; received_ms: string }[]>`
      select (extract(epoch from event_time) * 1000)::int8 as event_ms,
             (extract(epoch from received_at) * 1000)::int8 as received_ms
      from raw_events where event_id = ${event.event_id}`;
    expect(Number(times?.event_ms)).toBe(event.timestamp);
    expect(Number(times?.received_ms)).toBe(event.received_at);
    expect(row?.user_id).toBe(event.user_id);
    expect(row?.session_id).toBe(event.session_id);
    expect(row?.value).toBe(-0.5);
    expect(typeof row?.properties === "string" ? JSON.parse(row.properties) : row?.properties).toEqual(
      event.properties,
    );
    expect(typeof row?.source === "string" ? JSON.parse(row.source) : row?.source).toEqual(event.source);
  });

  it("takes two fetches of one partition in one transaction, keeping the later offset and event time", async () => {
    const tag = randomBytes(3).toString("hex");
    const now = Date.now();
    const groupId = `two-fetches-${tag}`;
    const batch = [0, 1].map((i) => ({
      event: enrichEvent(
        { input: { event_type: "click", region: `fetches-${tag}` }, timestamp: now - 1000 + i * 500 },
        { receivedAt: now, correlationId: tag, userAgent: undefined, projectId: "default" },
      ),
      partition: 3,
      offset: 10 + i,
      late: false,
      maybeClosed: false,
    }));
    const progress = (i: number) => ({
      groupId,
      topic: "t",
      partition: 3,
      nextOffset: 11 + i,
      maxEventTime: now - 1000 + i * 500,
    });
    const result = await persistBatch(
      getSql(),
      batch.map(stageEvent),
      [progress(1), progress(0)],
      CONFIG_300,
    );
    expect(result.inserted).toBe(2);
    const [stored] = await getSql()<{ next_offset: string; max_ms: string }[]>`
      select o.next_offset, (extract(epoch from w.max_event_time) * 1000)::int8 as max_ms
      from consumer_offsets o join partition_watermarks w using (group_id, topic, partition)
      where o.group_id = ${groupId}`;
    expect(Number(stored?.next_offset)).toBe(12);
    expect(Number(stored?.max_ms)).toBe(now - 500);
  });

  it("stores and counts an event once when two writers store it at the same moment (rebalance)", async () => {
    const tag = randomBytes(3).toString("hex");
    const batch = clickBatch(`race-${tag}`, 200);
    const write = () => persistBatch(getSql(), batch, [], CONFIG_300);
    const results = await Promise.all([write(), write(), write()]);
    expect(results.reduce((sum, result) => sum + result.inserted, 0)).toBe(200);
    const agg = await clickWindow(`race-${tag}`);
    expect(agg?.n).toBe(200);
  });

  it("adds nothing when the same batch is persisted again (redelivery)", async () => {
    const tag = randomBytes(3).toString("hex");
    const batch = clickBatch(`redeliver-${tag}`, 50);
    expect((await persistBatch(getSql(), batch, [], CONFIG_300)).inserted).toBe(50);
    expect((await persistBatch(getSql(), batch, [], CONFIG_300)).inserted).toBe(0);
    const agg = await clickWindow(`redeliver-${tag}`);
    expect(agg?.n).toBe(50);
  });

  it("stores only the new events of a batch that repeats stored ones (a re-read after a resume from Kafka's offsets)", async () => {
    const tag = randomBytes(3).toString("hex");
    const batch = clickBatch(`reread-${tag}`, 60);
    expect((await persistBatch(getSql(), batch.slice(0, 40), [], CONFIG_300)).inserted).toBe(40);
    // the primary key stops the first attempt; the second looks every id up
    expect((await persistBatch(getSql(), batch.slice(25), [], CONFIG_300)).inserted).toBe(20);
    const agg = await clickWindow(`reread-${tag}`);
    expect(agg?.n).toBe(60);
    expect(agg?.sum).toBe((59 * 60) / 2);
    const [stored] =
      await getSql()`select count(*)::int as n from raw_events where region = ${`reread-${tag}`}`;
    expect(stored?.n).toBe(60);
  });
});

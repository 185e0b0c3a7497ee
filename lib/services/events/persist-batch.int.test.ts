import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { enrichEvent } from "@/lib/events/enrich";
import { persistBatch } from "./persist-batch";

afterAll(() => closeDb());

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
      { receivedAt: now, correlationId: `c-${tag}`, userAgent: awkward },
    );
    const result = await persistBatch(
      getSql(),
      [{ event, partition: 1, offset: 7, late: false, maybeClosed: false }],
      [],
      [300],
    );
    expect(result.inserted).toBe(1);
    const [row] = await getSql()<
      { user_id: string; session_id: string; value: number; properties: unknown; source: unknown }[]
    >`
      select user_id, session_id, value, properties, source from raw_events where event_id = ${event.event_id}`;
    expect(row?.user_id).toBe(event.user_id);
    expect(row?.session_id).toBe(event.session_id);
    expect(row?.value).toBe(-0.5);
    expect(typeof row?.properties === "string" ? JSON.parse(row.properties) : row?.properties).toEqual(
      event.properties,
    );
    expect(typeof row?.source === "string" ? JSON.parse(row.source) : row?.source).toEqual(event.source);
  });

  it("adds nothing when the same batch is persisted again (redelivery)", async () => {
    const tag = randomBytes(3).toString("hex");
    const now = Date.now();
    const batch = Array.from({ length: 50 }, (_, i) => ({
      event: enrichEvent(
        { input: { event_type: "click", region: `redeliver-${tag}`, value: i }, timestamp: now },
        { receivedAt: now, correlationId: tag, userAgent: undefined },
      ),
      partition: 0,
      offset: i,
      late: false,
      maybeClosed: false,
    }));
    expect((await persistBatch(getSql(), batch, [], [300])).inserted).toBe(50);
    expect((await persistBatch(getSql(), batch, [], [300])).inserted).toBe(0);
    const [agg] = await getSql()`select event_count::int as n from aggregations
      where window_seconds = 300 and event_type = 'click' and region = ${`redeliver-${tag}`}`;
    expect(agg?.n).toBe(50);
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { ensureRawEventPartitions } from "@/db/partitions";
import { applyRetention } from "./apply-retention";

afterAll(() => closeDb());
const DAY = 86_400_000;

async function partitionExists(epochMs: number): Promise<boolean> {
  const name = `raw_events_${new Date(epochMs).toISOString().slice(0, 10).replaceAll("-", "")}`;
  const [row] = await getSql()<{ found: boolean }[]>`select to_regclass(${name}) is not null as found`;
  return row?.found ?? false;
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

    const result = await applyRetention(sql, {
      now,
      rawEventsDays: 30,
      aggregationsDays: 400,
      systemMetricsDays: 7,
    });

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
});

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { enrichEvent } from "@/lib/events/enrich";
import { createRandom } from "@/lib/simulation/traffic";
import { persistBatch, stageEvent, type ConsumedEvent } from "./persist-batch";
import { aggregationConfigFromEnv } from "./aggregation-config";

/** One 300 s window size; region admissions of a scope of this run's own (never full). */
const CONFIG_300 = {
  ...aggregationConfigFromEnv(),
  windowSizesSeconds: [300],
  scope: `test-${Math.random().toString(36).slice(2)}`,
};

afterAll(() => closeDb());

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] ?? 0) + ((sorted[high] ?? 0) - (sorted[low] ?? 0)) * (position - low);
}

describe("sketches in aggregations", () => {
  it("estimate distinct users and percentiles within their documented bounds after merging batches", async () => {
    const region = `sketch-${randomBytes(3).toString("hex")}`;
    const random = createRandom(2024);
    const windowStart = Math.floor(Date.now() / 300_000) * 300_000;
    const users = new Set<string>();
    const values: number[] = [];
    const events: ConsumedEvent[] = Array.from({ length: 20_000 }, (_, i) => {
      const user = `user-${Math.floor(random() * 8000)}`;
      // log-normal values: a long right tail, like order amounts
      const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
      const value = Math.round(Math.exp(3 + normal) * 100) / 100;
      users.add(user);
      values.push(value);
      const event = enrichEvent(
        {
          input: { event_type: "purchase", region, user_id: user, value },
          timestamp: windowStart + (i % 290_000),
        },
        { receivedAt: Date.now(), correlationId: region, userAgent: "sketch-test", projectId: "default" },
      );
      return { event, partition: 0, offset: i, late: false, maybeClosed: false };
    });
    // four batches, as four processors would write them: the sketches must merge
    for (let i = 0; i < events.length; i += 5000) {
      await persistBatch(getSql(), events.slice(i, i + 5000).map(stageEvent), [], CONFIG_300);
    }
    const [row] = await getSql()<{ users: number; pcts: number[]; count: string }[]>`
      select hll_cardinality(users) as users, event_count as count,
             (select tdigest_percentile(d, array[0.5, 0.95, 0.99]) from (select value_digest) s(d)) as pcts
      from aggregations where window_seconds = 300 and event_type = 'purchase' and region = ${region}`;
    expect(Number(row?.count)).toBe(20_000);
    const distinctError = Math.abs((row?.users ?? 0) - users.size) / users.size;
    expect(distinctError).toBeLessThan(0.06); // ~2.3 % standard error; 6 % is beyond 2.5 sigma
    const sorted = [...values].sort((a, b) => a - b);
    const [p50, p95, p99] = row?.pcts ?? [];
    // t-digest is most precise at the tails: rank error bounds per quantile (docs/architecture.md)
    for (const [estimate, q, maxRankError] of [
      [p50, 0.5, 0.015],
      [p95, 0.95, 0.005],
      [p99, 0.99, 0.002],
    ] as const) {
      const rank = sorted.filter((value) => value <= (estimate ?? 0)).length / sorted.length;
      expect(Math.abs(rank - q), `p${q * 100} rank`).toBeLessThan(maxRankError);
      expect(
        Math.abs((estimate ?? 0) - quantile(sorted, q)) / quantile(sorted, q),
        `p${q * 100} value`,
      ).toBeLessThan(0.05);
    }
  });
});

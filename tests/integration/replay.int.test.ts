import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { postEvents, testClients } from "../support/clients";
import { findAggregateMismatches } from "../support/exactness";
import { waitFor } from "../support/wait-for";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const clients = testClients();
afterAll(() => clients.close());

async function windowsOf(region: string) {
  return clients.sql<
    {
      window_start: Date;
      window_seconds: number;
      event_type: string;
      event_count: string;
      value_sum: number | null;
      users: number;
    }[]
  >`
    select window_start, window_seconds, event_type, event_count, value_sum, hll_cardinality(users) as users
    from aggregations where region = ${region} order by window_seconds, event_type, window_start`;
}

async function closedStateOf(region: string) {
  return clients.sql<
    { window_seconds: number; event_type: string; window_start: Date; closed_at: Date; emitted_at: Date }[]
  >`
    select window_seconds, event_type, window_start, closed_at, emitted_at
    from aggregations where region = ${region} order by window_seconds, event_type, window_start`;
}

describe("npm run replay", () => {
  it("rebuilds a range's aggregates from raw_events, idempotently, while ingestion goes on", async () => {
    const region = `replay-${randomBytes(3).toString("hex")}`;
    // recent events: their windows are still open, so none of them is late
    const base = Date.now() - 60_000;
    const events = Array.from({ length: 300 }, (_, i) => ({
      event_type: i % 2 ? "click" : "purchase",
      region,
      user_id: `u${i % 17}`,
      value: i,
      timestamp: base + i * 150,
    }));
    const posted = await postEvents(clients.baseUrl, events);
    expect(posted.status).toBe(202);
    await waitFor(
      async () => {
        const [row] = await clients.sql`select count(*)::int as n from raw_events where region = ${region}`;
        return row?.n === 300;
      },
      { what: "300 events stored" },
    );
    const before = await windowsOf(region);
    expect(before.length).toBeGreaterThan(0);
    // the windows closed and sent to aggregations.closed, as the window closer would have
    await clients.sql`
      update aggregations set closed_at = now() - interval '2 seconds', emitted_at = now() - interval '1 second'
      where region = ${region}`;
    const closedBefore = await closedStateOf(region);

    // corrupt the aggregates, then replay the range twice while other traffic keeps arriving
    await clients.sql`update aggregations set event_count = event_count + 1000 where region = ${region}`;
    const background = postEvents(
      clients.baseUrl,
      Array.from({ length: 200 }, () => ({ event_type: "click", region: `${region}-live` })),
    );
    const args = [
      "--conditions=react-server",
      "--import",
      "tsx",
      "scripts/replay.ts",
      "--from",
      new Date(base).toISOString(),
      "--to",
      new Date(base + 120_000).toISOString(),
    ];
    await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...clients.env } });
    await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...clients.env } });
    expect((await background).status).toBe(202);

    const after = await windowsOf(region);
    expect(after).toEqual(before);
    expect(await findAggregateMismatches(clients.sql, [region])).toEqual([]);
    // corrected, not re-sent: still closed, still marked emitted (the closer sends only rows
    // without emitted_at), so consumers of aggregations.closed never see these windows again
    expect(await closedStateOf(region)).toEqual(closedBefore);
  });
});

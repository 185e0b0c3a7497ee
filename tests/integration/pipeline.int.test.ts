import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { authHeaders, postEvents, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

const TYPES = ["page_view", "click", "purchase", "signup", "refund_requested"];

interface SentEvent {
  event_type: string;
  region: string;
  user_id: string;
  value?: number;
  timestamp: number;
  properties: Record<string, unknown>;
}

function makeEvents(count: number, regions: string[]): SentEvent[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const event: SentEvent = {
      event_type: TYPES[i % TYPES.length] ?? "click",
      region: regions[i % regions.length] ?? "r",
      user_id: `user-${i % 97}`,
      // spread over the last 90 s: the Redis buckets still hold them, and none is late. Over
      // the whole 2 min of allowed lateness, the oldest could miss its window: a watermark may
      // run up to 5 s ahead of the clock (WATERMARK_MAX_SKEW_MS), and a CI run saw 4 % counted late
      timestamp: now - ((i * 7919) % 90_000),
      properties: { i, page: `/p/${i % 13}` },
    };
    if (i % 3 !== 0) event.value = Math.round(((i * 31) % 1000) * 100) / 100;
    return event;
  });
}

describe("ingest → Kafka → processor → PostgreSQL and Redis → query API", () => {
  const tag = randomBytes(3).toString("hex");
  const regions = [`eu-${tag}`, `us-${tag}`, `ap-${tag}`];
  const sent = makeEvents(5000, regions);
  const ids: string[] = [];

  it("acknowledges 5,000 events posted in batches of 500", async () => {
    const batches = Array.from({ length: 10 }, (_, b) => sent.slice(b * 500, (b + 1) * 500));
    const results = await Promise.all(batches.map((batch) => postEvents(clients.baseUrl, batch)));
    for (const result of results) {
      expect(result.status).toBe(202);
      expect(result.body.accepted).toBe(500);
      ids.push(...(result.body.event_ids as string[]));
    }
    expect(new Set(ids).size).toBe(5000);
  });

  it("stores every event in raw_events with identical fields", async () => {
    await waitFor(
      async () => {
        const [row] =
          await clients.sql`select count(*)::int as n from raw_events where region in ${clients.sql(regions)}`;
        return row?.n === 5000;
      },
      { timeoutMs: 60_000, what: "5,000 rows in raw_events" },
    );
    const rows = await clients.sql<
      {
        event_id: string;
        event_type: string;
        region: string;
        user_id: string;
        value: number | null;
        event_time: Date;
        properties: Record<string, unknown>;
      }[]
    >`select event_id, event_type, region, user_id, value, event_time, properties from raw_events where event_id in ${clients.sql(ids)}`;
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    sent.forEach((event, i) => {
      const row = byId.get(ids[i] ?? "");
      expect(row, `event ${i}`).toBeDefined();
      expect(row).toMatchObject({
        event_type: event.event_type,
        region: event.region,
        user_id: event.user_id,
        value: event.value ?? null,
        properties: event.properties,
      });
      expect(row?.event_time.getTime()).toBe(event.timestamp);
    });
  });

  it("aggregates counts, sums and distinct users per 5-minute window exactly", async () => {
    const expected = new Map<string, { count: number; sum: number; users: Set<string> }>();
    // types not in EVENT_TYPES (the stack's default list) are aggregated as "other"
    const configured = new Set(["page_view", "click", "purchase", "signup", "error"]);
    for (const event of sent) {
      const windowStart = Math.floor(event.timestamp / 300_000) * 300_000;
      const type = configured.has(event.event_type) ? event.event_type : "other";
      for (const key of [`${windowStart}|${type}|${event.region}`, `${windowStart}|*|${event.region}`]) {
        const entry = expected.get(key) ?? { count: 0, sum: 0, users: new Set<string>() };
        entry.count += 1;
        entry.sum += event.value ?? 0;
        entry.users.add(event.user_id);
        expected.set(key, entry);
      }
    }
    const rows = await clients.sql<
      {
        window_start: Date;
        event_type: string;
        region: string;
        event_count: string;
        value_sum: number | null;
        users: number;
      }[]
    >`
      select window_start, event_type, region, event_count, value_sum, hll_cardinality(users) as users
      from aggregations where window_seconds = 300 and region in ${clients.sql(regions)}`;
    const actual = new Map(
      rows.map((row) => [`${row.window_start.getTime()}|${row.event_type}|${row.region}`, row]),
    );
    expect(actual.size).toBe(expected.size);
    for (const [key, want] of expected) {
      const row = actual.get(key);
      expect(row, key).toBeDefined();
      expect(Number(row?.event_count)).toBe(want.count);
      expect(row?.value_sum ?? 0).toBeCloseTo(want.sum, 6);
      // HyperLogLog: exact for small sets in its sparse representation
      expect(Math.round(row?.users ?? 0)).toBe(want.users.size);
    }
  });

  it("counts the same events in the Redis real-time buckets", async () => {
    const response = await fetch(`${clients.baseUrl}/api/metrics/realtime?seconds=300`, {
      headers: authHeaders("viewer"),
    });
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as { by_region: Record<string, number> };
    for (const region of regions) {
      expect(snapshot.by_region[region]).toBe(sent.filter((event) => event.region === region).length);
    }
  });

  it("returns the events through GET /api/events with filters and cursor pagination", async () => {
    const region = regions[0] ?? "";
    const want = sent.filter((event) => event.region === region && event.event_type === "click").length;
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const url = new URL(`${clients.baseUrl}/api/events`);
      url.searchParams.set("region", region);
      url.searchParams.set("event_type", "click");
      url.searchParams.set("limit", "100");
      if (cursor) url.searchParams.set("cursor", cursor);
      const response = await fetch(url, { headers: authHeaders("viewer") });
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        data: { event_id: string; region: string; event_type: string }[];
        next_cursor: string | null;
      };
      for (const event of page.data) {
        expect(event).toMatchObject({ region, event_type: "click" });
        seen.add(event.event_id);
      }
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.size).toBe(want);
  });

  it("returns the windows through GET /api/aggregations", async () => {
    const region = regions[1] ?? "";
    const url = `${clients.baseUrl}/api/aggregations?event_type=*&region=${region}&window=300`;
    const response = await fetch(url, { headers: authHeaders("viewer") });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { count: number; p95: number | null }[];
      next_cursor: null;
    };
    const total = body.data.reduce((sum, window) => sum + window.count, 0);
    expect(total).toBe(sent.filter((event) => event.region === region).length);
    expect(body.next_cursor).toBeNull();
    expect(body.data.some((window) => window.p95 !== null)).toBe(true);
  });
});

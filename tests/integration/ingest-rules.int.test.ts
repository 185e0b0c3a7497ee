import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { countProduced, postEvents, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

const prefix = clients.env.KAFKA_TOPIC_PREFIX ?? "";

async function rowsWithId(eventId: string): Promise<number> {
  const [row] = await clients.sql`select count(*)::int as n from raw_events where event_id = ${eventId}`;
  return row?.n ?? 0;
}

describe("idempotent retries", () => {
  it("stores an event sent twice with the same event_id once, with or without a timestamp", async () => {
    const withoutTime = `retry-${randomBytes(6).toString("hex")}`;
    const withTime = `retry-${randomBytes(6).toString("hex")}`;
    const timestamp = new Date(Date.now() - 1000).toISOString();
    const region = `idem-${randomBytes(3).toString("hex")}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const first = await postEvents(clients.baseUrl, {
        event_type: "signup",
        event_id: withoutTime,
        region,
      });
      const second = await postEvents(clients.baseUrl, [
        { event_type: "signup", event_id: withTime, timestamp, region },
      ]);
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(first.body.event_ids).toEqual([withoutTime]);
    }
    // a marker sent after the retries: once it is stored, the retries were processed too
    const marker = await postEvents(clients.baseUrl, { event_type: "signup", region, user_id: "marker" });
    const [markerId] = marker.body.event_ids as string[];
    await waitFor(async () => (await rowsWithId(markerId ?? "")) === 1, { what: "the marker event" });
    await waitFor(async () => (await rowsWithId(withoutTime)) >= 1, { what: "the retried event" });
    expect(await rowsWithId(withoutTime)).toBe(1);
    expect(await rowsWithId(withTime)).toBe(1);
    const [agg] = await clients.sql`
      select coalesce(sum(event_count), 0)::int as n from aggregations
      where window_seconds = 300 and event_type = 'signup' and region = ${region}`;
    expect(agg?.n).toBe(3);
  });
});

describe("what is stored is what was sent", () => {
  it("stores events of any shape as sent: ISO and epoch times, chosen and generated ids, escaped text, NDJSON", async () => {
    const region = `shape-${randomBytes(3).toString("hex")}`;
    const now = Date.now();
    const isoTime = now - 60_000;
    const isoText = new Date(isoTime).toISOString().replace("Z", "+00:00");
    const tricky = 'quote " backslash \\ newline \n tab \t é 😀 \u0001';
    const sent = [
      {
        event_type: "click",
        region,
        user_id: tricky,
        timestamp: isoText,
        properties: { text: tricky, nested: [{ a: null }] },
      },
      { event_type: "click", region, event_id: `mine-${region}`, timestamp: now - 1000, value: -0.5 },
      { event_type: "other.kind-1", region, session_id: "s-1", properties: { 'key with "quotes"': 1e21 } },
    ];
    const response = await postEvents(
      clients.baseUrl,
      sent.map((event) => JSON.stringify(event)).join("\n"),
      {
        "Content-Type": "application/x-ndjson",
      },
    );
    expect(response.status).toBe(202);
    const ids = response.body.event_ids as string[];
    expect(ids[1]).toBe(`mine-${region}`);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    await waitFor(
      async () => {
        const [row] = await clients.sql`select count(*)::int as n from raw_events where region = ${region}`;
        return row?.n === 3;
      },
      { what: "the three events in raw_events" },
    );
    const rows = await clients.sql<
      {
        event_id: string;
        event_type: string;
        event_time: Date;
        received_at: Date;
        user_id: string | null;
        session_id: string | null;
        value: number | null;
        properties: unknown;
      }[]
    >`select event_id, event_type, event_time, received_at, user_id, session_id, value, properties
      from raw_events where region = ${region}`;
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    const first = byId.get(ids[0] ?? "");
    expect(first?.user_id).toBe(tricky);
    expect(first?.properties).toEqual(sent[0]?.properties);
    expect(first?.event_time.getTime()).toBe(isoTime);
    const second = byId.get(`mine-${region}`);
    expect(second?.event_time.getTime()).toBe(now - 1000);
    expect(second?.value).toBe(-0.5);
    const third = byId.get(ids[2] ?? "");
    expect(third?.event_type).toBe("other.kind-1");
    expect(third?.properties).toEqual({ 'key with "quotes"': 1e21 });
    // without a time of its own, an event happened when it was received
    expect(third?.event_time.getTime()).toBe(third?.received_at.getTime());
  });
});

describe("bad input", () => {
  const good = { event_type: "click" };
  const cases: {
    name: string;
    body: string;
    contentType?: string;
    status: number;
    code: string;
    path?: string;
  }[] = [
    { name: "malformed JSON", body: "{nope", status: 400, code: "invalid_json" },
    {
      name: "malformed NDJSON line",
      body: '{"event_type":"click"}\n{bad',
      contentType: "application/x-ndjson",
      status: 400,
      code: "invalid_json",
    },
    {
      name: "wrong type",
      body: JSON.stringify({ event_type: 42 }),
      status: 400,
      code: "validation_failed",
      path: "event_type",
    },
    {
      name: "unknown field",
      body: JSON.stringify({ event_type: "click", colour: "red" }),
      status: 400,
      code: "validation_failed",
      path: "colour",
    },
    {
      name: "one bad event in a batch",
      body: JSON.stringify([good, good, { event_type: "click", value: "x" }]),
      status: 400,
      code: "validation_failed",
      path: "value",
    },
    {
      name: "future timestamp",
      body: JSON.stringify({ event_type: "click", timestamp: Date.now() + 3_600_000 }),
      status: 400,
      code: "validation_failed",
      path: "timestamp",
    },
    {
      name: "too many events",
      body: JSON.stringify(Array.from({ length: 1001 }, () => good)),
      status: 413,
      code: "too_many_events",
    },
    {
      name: "body too large",
      body: JSON.stringify({ event_type: "click", properties: { blob: "x".repeat(1024 * 1024) } }),
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "properties too large",
      body: JSON.stringify({ event_type: "click", properties: { blob: "x".repeat(40_000) } }),
      status: 400,
      code: "validation_failed",
      path: "properties",
    },
    {
      name: "unsupported media type",
      body: "event_type=click",
      contentType: "application/x-www-form-urlencoded",
      status: 415,
      code: "unsupported_media_type",
    },
    { name: "empty array", body: "[]", status: 400, code: "validation_failed" },
  ];

  it.each(cases)(
    "$name → $status $code, and nothing is produced",
    async ({ body, contentType, status, code, path }) => {
      const before = await countProduced(clients.kafka, prefix);
      const response = await postEvents(clients.baseUrl, body, {
        "Content-Type": contentType ?? "application/json",
      });
      expect(response.status).toBe(status);
      const error = response.body.error as {
        code: string;
        message: string;
        details?: { path: string; index?: number }[];
      };
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(0);
      if (path) expect(error.details?.map((detail) => detail.path)).toContain(path);
      expect(response.headers.get("x-request-id")).toBeTruthy();
      expect(await countProduced(clients.kafka, prefix)).toBe(before);
    },
  );

  it("answers a 202 uncompressed even to a client that accepts gzip", async () => {
    const events = Array.from({ length: 100 }, (_, i) => ({ event_type: "click", user_id: `gz-${i}` }));
    const response = await postEvents(clients.baseUrl, events, { "Accept-Encoding": "gzip, deflate" });
    expect(response.status).toBe(202);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.body.event_ids).toHaveLength(100);
  });

  it("echoes the caller's X-Request-Id", async () => {
    const response = await postEvents(
      clients.baseUrl,
      { event_type: "click" },
      { "X-Request-Id": "trace-abc-123" },
    );
    expect(response.status).toBe(202);
    expect(response.headers.get("x-request-id")).toBe("trace-abc-123");
  });
});

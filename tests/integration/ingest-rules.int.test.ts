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

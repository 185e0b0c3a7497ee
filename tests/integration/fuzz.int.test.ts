/**
 * Generated input against the running stack (fast-check): 10,000 requests in all, bodies for
 * ingest and query strings for every GET route. Never a 5xx; a rejected body writes nothing
 * (what is stored is exactly what the 202s accepted).
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { routeContracts } from "@/lib/http/contracts";
import { authHeaders, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

const INGEST_RUNS = 5_000;
const QUERY_RUNS = 5_000;

/** Field names the event contract knows, and some it does not. */
const fieldName = fc.constantFrom(
  "event_type",
  "event_id",
  "timestamp",
  "user_id",
  "session_id",
  "region",
  "value",
  "properties",
  "__proto__",
  "constructor",
  "eventType",
  "",
  "time",
);
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    "'; drop table raw_events; --",
    "\u0000",
    "\ud800",
    "9".repeat(400),
    "NaN",
    "-0",
    "1e309",
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.json(),
);
/** An event-shaped object: known and unknown fields with values of any shape. */
const eventLike = fc.dictionary(fieldName, nasty, { maxKeys: 8 });
/** Mostly valid events, each mutated in one field: the near misses a parser gets wrong. */
const nearlyValid = fc.record({
  event_type: fc.oneof(fc.constantFrom("click", "purchase", "page_view"), nasty),
  region: fc.oneof(fc.constant("fuzz"), nasty),
  value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), nasty),
  properties: fc.oneof(fc.object(), nasty),
});
const body = fc.oneof(
  fc.json().map((text) => ({ text, contentType: "application/json" })),
  fc
    .array(fc.oneof(eventLike, nearlyValid), { maxLength: 5 })
    .map((events) => ({ text: JSON.stringify(events), contentType: "application/json" })),
  nearlyValid.map((event) => ({ text: JSON.stringify(event), contentType: "application/json" })),
  fc.array(fc.oneof(eventLike, nearlyValid), { maxLength: 5 }).map((events) => ({
    text: events.map((event) => JSON.stringify(event)).join("\n"),
    contentType: "application/x-ndjson",
  })),
  fc.string().map((text) => ({
    text,
    contentType:
      fc.sample(
        fc.constantFrom("text/plain", "application/json", "application/x-www-form-urlencoded", ""),
        1,
      )[0] ?? "",
  })),
);

describe("fuzzing with generated input", () => {
  it(`ingest: ${INGEST_RUNS} generated bodies, never a 5xx, and only accepted events are stored`, async () => {
    const started = new Date();
    const acceptedIds = new Set<string>();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async ({ text, contentType }) => {
        const response = await fetch(`${clients.baseUrl}/api/events`, {
          method: "POST",
          headers: { ...(contentType ? { "Content-Type": contentType } : {}), ...authHeaders("ingest") },
          body: text,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const answer = (await response.json()) as { event_ids?: string[]; error?: { code?: string } };
        expect(response.status, JSON.stringify(answer)).toBeLessThan(500);
        if (response.status === 202) for (const id of answer.event_ids ?? []) acceptedIds.add(id);
        else expect(answer.error?.code).toEqual(expect.any(String));
      }),
      { numRuns: INGEST_RUNS, seed: 20261201 },
    );
    expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
    // every accepted event is stored (once: a repeated id is one event), and nothing stored
    // since the start came from anything but a 202
    const ids = [...acceptedIds];
    await waitFor(
      async () => {
        const [row] = await clients.sql<{ n: number }[]>`
          select count(*)::int as n from raw_events where event_id = any(${ids})`;
        return row?.n === ids.length;
      },
      { timeoutMs: 60_000, what: `the ${ids.length} accepted event ids stored` },
    ).catch(async (error: unknown) => {
      const stored = await clients.sql<{ event_id: string }[]>`
        select event_id from raw_events where event_id = any(${ids})`;
      const found = new Set(stored.map((row) => row.event_id));
      throw new Error(
        `${String(error)}; not stored: ${JSON.stringify(ids.filter((id) => !found.has(id)).slice(0, 10))}`,
      );
    });
    const strays = await clients.sql<{ event_id: string }[]>`
      select event_id from raw_events where received_at >= ${started} and not (event_id = any(${ids}))`;
    expect(strays.map((row) => row.event_id)).toEqual([]);
  });

  it(`queries: ${QUERY_RUNS} generated query strings across every GET route, never a 5xx`, async () => {
    const routes = routeContracts.filter(
      (contract) => contract.method === "GET" && !["/api/stream", "/api/metrics"].includes(contract.path),
    );
    const param = fc.constantFrom(
      "event_type",
      "region",
      "user_id",
      "session_id",
      "from",
      "to",
      "limit",
      "cursor",
      "window",
      "seconds",
      "status",
      "metric",
      "severity",
      "rule_id",
      "type",
      "format",
      "property",
      "with_points",
      "range",
      "x",
    );
    const query = fc.dictionary(
      param,
      fc.oneof(
        nasty.map(String),
        fc.constantFrom("*", "300", "60", "csv", "ndjson", "2026-12-01T00:00:00Z", "a:b"),
      ),
      { maxKeys: 6 },
    );
    const route = fc.constantFrom(...routes);
    const failures: string[] = [];
    const slow: { ms: number; request: string; status: number }[] = [];
    await fc.assert(
      fc.asyncProperty(route, query, fc.uuid(), async (contract, values, id) => {
        const params = new URLSearchParams(values as Record<string, string>);
        // an export streams up to 100,000 rows by default: bounded here to keep the run short
        if (contract.path === "/api/events/export" && !params.has("max")) params.set("max", "20");
        const search = params.toString();
        const path = contract.path.replace(/\{[^}]+\}/g, id);
        const before = performance.now();
        const response = await fetch(`${clients.baseUrl}${path}?${search}`, {
          headers: authHeaders("viewer"),
        });
        await response.arrayBuffer();
        const ms = performance.now() - before;
        if (ms > 200)
          slow.push({ ms: Math.round(ms), request: `GET ${path}?${search}`, status: response.status });
        if (response.status >= 500) failures.push(`${response.status} GET ${path}?${search}`);
      }),
      { numRuns: QUERY_RUNS, seed: 20261202 },
    );
    if (slow.length > 0) console.log("slowest:", slow.sort((a, b) => b.ms - a.ms).slice(0, 8));
    expect(failures.slice(0, 10)).toEqual([]);
  });
});

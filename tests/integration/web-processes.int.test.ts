import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { testClients } from "../support/clients";

const clients = testClients();
afterAll(() => clients.close());

/** One POST on a connection of its own, so the cluster hands it to any of its processes. */
function postOnNewConnection(body: string): Promise<number> {
  const url = new URL("/api/events", clients.baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent: false, headers: { "Content-Type": "application/json" } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function scrape(path: string): Promise<string> {
  const response = await fetch(new URL(path, clients.baseUrl));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

/** The value of one sample line, e.g. `analytics_ingest_events_total` or `name{labels}`. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe("the web app as two processes on one port (web/start.ts, WEB_PROCESSES=2)", () => {
  it("answers /api/metrics and /metrics with the sum over its processes", async () => {
    const requests = 24;
    const perRequest = 3;
    const postSeries = 'analytics_http_request_seconds_count{route="events.post",method="POST",status="202"}';
    const before = await scrape("/api/metrics");
    const body = JSON.stringify(Array.from({ length: perRequest }, () => ({ event_type: "click" })));
    const statuses = await Promise.all(Array.from({ length: requests }, () => postOnNewConnection(body)));
    expect(statuses.every((status) => status === 202)).toBe(true);
    // each process counts only what it served; a scrape of one process alone would miss about half
    const after = await scrape("/api/metrics");
    expect(
      sample(after, "analytics_ingest_events_total") - sample(before, "analytics_ingest_events_total"),
    ).toBe(requests * perRequest);
    expect(sample(after, postSeries) - sample(before, postSeries)).toBe(requests);
    const other = await scrape("/metrics");
    expect(sample(other, "analytics_ingest_events_total")).toBe(
      sample(after, "analytics_ingest_events_total"),
    );
  });
});

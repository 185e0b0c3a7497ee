import { execFileSync, type ChildProcess } from "node:child_process";
import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { authHeaders, testClients } from "../support/clients";
import { spawnLogged, TEST_METRICS_TOKEN } from "../support/stack";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

/** One POST on a connection of its own, so the cluster hands it to any of its processes. */
function postOnNewConnection(body: string, baseUrl = clients.baseUrl): Promise<number> {
  const url = new URL("/api/events", baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/json", ...authHeaders("ingest") },
      },
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
  const response = await fetch(new URL(path, clients.baseUrl), {
    headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
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

  it("refuses /metrics and /api/metrics on the web port without METRICS_TOKEN as a bearer token", async () => {
    for (const path of ["/metrics", "/api/metrics"]) {
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: `Bearer ${TEST_METRICS_TOKEN}x` },
        { Authorization: "Basic x" },
      ];
      for (const headers of attempts) {
        const response = await fetch(new URL(path, clients.baseUrl), { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(await response.text()).not.toContain("analytics_");
      }
    }
  });
});

/** The pids of a process's children. */
function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function uptimeSeconds(pid: number): number {
  try {
    return Number(execFileSync("ps", ["-o", "etimes=", "-p", String(pid)], { encoding: "utf8" }).trim());
  } catch {
    return 0;
  }
}

function startLauncher(name: string, port: number): ChildProcess {
  return spawnLogged(
    name,
    process.execPath,
    ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"],
    { ...clients.env, PORT: String(port), WEB_PROCESSES: "2" },
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("web/start.ts supervising its processes", () => {
  it("replaces a process that dies, keeps answering, and stops them all on SIGTERM", async () => {
    const port = 3131;
    const launcher = startLauncher("launcher-restart", port);
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined))?.ok === true,
        {
          timeoutMs: 60_000,
          what: "the launcher's web app to answer",
        },
      );
      const before = childPids(launcher.pid ?? 0);
      expect(before).toHaveLength(2);
      // a process that dies in its first 15 s counts as failing to start (everything stops):
      // wait on the processes' own uptime (on a busy machine they fork seconds after the launcher)
      await waitFor(() => before.every((pid) => uptimeSeconds(pid) > 16), {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: "16 s of uptime of both web processes",
      });
      const [victim] = before;
      process.kill(victim ?? 0, "SIGKILL");
      await waitFor(
        async () => {
          const now = childPids(launcher.pid ?? 0);
          return now.length === 2 && !now.includes(victim ?? 0);
        },
        { timeoutMs: 60_000, what: "a replacement web process" },
      );
      const statuses = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const url = `http://127.0.0.1:${port}/api/health`;
          return (await fetch(url, { headers: { Connection: "close" } })).status;
        }),
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
      const children = childPids(launcher.pid ?? 0);
      launcher.kill("SIGTERM");
      expect(await exited(launcher)).toBe(0);
      // every web process is gone, not orphaned
      for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      launcher.kill("SIGKILL");
    }
  });

  it("on SIGTERM ends its live streams, answers the requests in flight, and exits 0 (no SIGKILL)", async () => {
    const port = 3132;
    const region = `drain-${Date.now().toString(36)}`;
    const launcher = startLauncher("launcher-drain", port);
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined))?.ok === true,
        { timeoutMs: 60_000, what: "the launcher's web app to answer" },
      );
      // a live stream on each process (separate connections: the cluster spreads them)
      const streams = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const response = await fetch(`http://127.0.0.1:${port}/api/stream`, {
            headers: { Connection: "close", ...authHeaders("viewer") },
          });
          expect(response.status).toBe(200);
          const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
          await reader.read(); // the greeting: the stream is open
          return reader;
        }),
      );
      // requests in flight when the signal comes: each is either answered 202 (and stored)
      // or never accepted; none is cut off after its events reached Kafka
      const body = JSON.stringify(Array.from({ length: 5 }, () => ({ event_type: "click", region })));
      const posts = Array.from({ length: 20 }, () =>
        postOnNewConnection(body, `http://127.0.0.1:${port}`).catch(() => 0),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      launcher.kill("SIGTERM");
      const statuses = await Promise.all(posts);
      // the streams end (EventSource reconnects elsewhere) instead of holding the process open
      for (const reader of streams) {
        for (;;) {
          const { done } = await reader.read().catch(() => ({ done: true }));
          if (done) break;
        }
      }
      // 1 would be web/start.ts giving up after 30 s and killing what still ran
      expect(await exited(launcher)).toBe(0);
      const accepted = statuses.filter((status) => status === 202).length * 5;
      expect(statuses.every((status) => status === 202 || status === 503 || status === 0)).toBe(true);
      await waitFor(
        async () => {
          const [row] = await clients.sql<{ n: number }[]>`
            select count(*)::int as n from raw_events where region = ${region}`;
          return row?.n === accepted;
        },
        { timeoutMs: 60_000, what: `${accepted} acknowledged events of ${region} stored` },
      );
    } finally {
      launcher.kill("SIGKILL");
    }
  });

  it("stops with a non-zero code when its processes cannot start (the port is taken)", async () => {
    const launcher = startLauncher("launcher-port-taken", Number(new URL(clients.baseUrl).port));
    try {
      const code = await Promise.race([
        exited(launcher),
        new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 60_000)),
      ]);
      expect(code).not.toBe(0);
      expect(code).not.toBe("still running");
    } finally {
      launcher.kill("SIGKILL");
    }
  });
});

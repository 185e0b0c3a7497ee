/**
 * Every role records its own system_metrics rows (web, processor, anomaly, alerts), and the
 * System page's API lists each of them as running, with the web's ingest figures.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionCredentials, type TestCredentials } from "../support/credentials";
import { startFaultStack, type FaultStack, type Role } from "../support/fault-stack";
import { startLoad } from "../support/load";
import { ensureServersRunning } from "../support/servers";
import { waitFor } from "../support/wait-for";
import { createDatabase, dropDatabase } from "../support/databases";

const ROLES: Role[] = ["web", "processor", "anomaly", "alerts"];
const tag = randomBytes(3).toString("hex");
const database = `analytics_sysmetrics_${tag}`;
let stack: FaultStack | undefined;
let sql: postgres.Sql | undefined;
let credentials: TestCredentials | undefined;

beforeAll(async () => {
  await ensureServersRunning();
  const url = await createDatabase(database);
  sql = postgres(url, { max: 2, onnotice: () => undefined });
  credentials = await provisionCredentials(url, `sysmetrics-${tag}`);
  stack = await startFaultStack(tag, { DATABASE_URL: url, WEB_PROCESSES: "1" });
});

afterAll(async () => {
  await stack?.stop();
  await sql?.end();
  await dropDatabase(database);
});

describe("system_metrics from every role", () => {
  it("records a snapshot of each role's processes, shown by /api/system", async () => {
    if (!stack || !sql || !credentials) throw new Error("the stack did not start");
    const db = sql;
    const load = startLoad(stack.baseUrl, {
      ingestKey: credentials.ingestKey,
      region: `sysmetrics-${tag}`,
      types: ["click", "purchase"],
      eventsPerSecond: 500,
    });
    try {
      // the web's row counts what it received and what Kafka acknowledged
      await waitFor(
        async () => {
          const rows = await db<{ role: string; events_persisted_per_second: number }[]>`
            select distinct on (role) role, events_persisted_per_second from system_metrics
            order by role, events_persisted_per_second desc`;
          const roles = new Set(rows.map((row) => row.role));
          const web = rows.find((row) => row.role === "web");
          return ROLES.every((role) => roles.has(role)) && (web?.events_persisted_per_second ?? 0) > 0;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 1000,
          what: "a system_metrics row of every role, the web's with ingest",
        },
      );
    } finally {
      await load.stop();
    }
    const [web] = await db<
      { events_in_per_second: number; events_persisted_per_second: number; rss_bytes: string }[]
    >`
      select events_in_per_second, events_persisted_per_second, rss_bytes from system_metrics
      where role = 'web' order by events_persisted_per_second desc limit 1`;
    // received >= acknowledged; a process has memory
    expect(web?.events_in_per_second).toBeGreaterThanOrEqual(web?.events_persisted_per_second ?? Infinity);
    expect(Number(web?.rss_bytes)).toBeGreaterThan(0);

    const response = await fetch(`${stack.baseUrl}/api/system?minutes=5`, {
      headers: { Authorization: `Bearer ${credentials.tokens.viewer}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      workers: { role: string; running: boolean; instance: string }[];
    };
    const running = new Set(body.workers.filter((worker) => worker.running).map((worker) => worker.role));
    expect([...running].sort()).toEqual([...ROLES].sort());
    // each worker process reports as itself (host:pid)
    for (const role of ROLES.filter((name) => name !== "web")) {
      const pid = stack.process(role).pid;
      expect(body.workers.some((worker) => worker.role === role && worker.instance.endsWith(`:${pid}`))).toBe(
        true,
      );
    }
  });
});

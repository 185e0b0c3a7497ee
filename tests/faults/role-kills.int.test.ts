/**
 * Each role's process is killed (SIGKILL) under steady ingest and started again: a web
 * process (its launcher replaces it), the processor, the anomaly worker and the alerts
 * worker. Afterwards every acknowledged event is stored once, every aggregate equals its
 * recomputation, and each worker has caught up with what happened while it was away.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startLoad } from "../support/load";
import { useFaultSuite } from "../support/fault-suite";
import { waitFor } from "../support/wait-for";

const run = promisify(execFile);
const WINDOW_SIZES = [60, 10];
const TYPES = ["click", "purchase"];
/** The web launcher treats a process dying sooner than this after its start as a failed start. */
const WEB_STARTUP_FAILURE_MS = 15_000;

const suite = useFaultSuite(WINDOW_SIZES, {
  EVENT_TYPES: TYPES.join(","),
  ALLOWED_LATENESS_MS: "5000",
  IDLE_PARTITION_MS: "5000",
  ALERT_OUTBOX_SWEEP_MS: "1000",
});
const { tag, sql, kafka } = suite;

/** The web launcher's processes: pid and seconds since they started. */
async function webProcesses(): Promise<{ pid: number; ageSeconds: number }[]> {
  const launcher = suite.stack().process("web").pid;
  const { stdout } = await run("ps", ["-o", "pid=,etimes=", "--ppid", String(launcher)]).catch(() => ({
    stdout: "",
  }));
  return stdout
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [pid, age] = line.trim().split(/\s+/).map(Number);
      return { pid: pid ?? 0, ageSeconds: age ?? 0 };
    });
}

describe("a role's process killed under load", () => {
  it("web: the killed process is replaced, the other keeps answering, acknowledged events are exact", async () => {
    const region = `kill-web-${tag}`;
    await waitFor(
      async () => {
        const processes = await webProcesses();
        return processes.length === 2 && processes.every((p) => p.ageSeconds * 1000 > WEB_STARTUP_FAILURE_MS);
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "both web processes to be past their start-up" },
    );
    // every batch carries the client's ids: a request cut off with the process has no answer,
    // and only ids sent with it let its retry be recognised
    const load = startLoad(suite.stack().baseUrl, {
      ingestKey: suite.credentials().ingestKey,
      region,
      types: TYPES,
      clientIdsOnly: true,
    });
    await load.nextAck();
    const [victim] = await webProcesses();
    process.kill(victim?.pid ?? 0, "SIGKILL");
    await waitFor(
      async () => {
        const processes = await webProcesses();
        return processes.length === 2 && !processes.some((p) => p.pid === victim?.pid);
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "the launcher to replace the killed web process" },
    );
    await load.nextAck();
    const report = await load.stop();
    // requests in flight on the killed process got no answer (and were retried with their ids)
    expect(Object.keys(report.statuses).filter((status) => status !== "202" && status !== "network")).toEqual(
      [],
    );
    expect(report.abandoned).toBe(0);
    await suite.expectExactAndCaughtUp(region, report);
    expect(suite.stack().process("web").exitCode).toBeNull();
  });

  it("processor: killed and started again, it resumes from the offsets stored with the data", async () => {
    const region = `kill-processor-${tag}`;
    const load = startLoad(suite.stack().baseUrl, {
      ingestKey: suite.credentials().ingestKey,
      region,
      types: TYPES,
    });
    await waitFor(
      async () => (await sql`select 1 from raw_events where region = ${region} limit 1`).length > 0,
      { timeoutMs: 60_000, what: "the processor to store the first events" },
    );
    await suite.stack().kill("processor");
    await load.nextAck(); // ingest does not need the processor
    await suite.stack().restart("processor");
    await load.nextAck();
    const report = await load.stop();
    expect(Object.keys(report.statuses)).toEqual(["202"]);
    await suite.expectExactAndCaughtUp(region, report);
  });

  it("anomaly worker: killed while windows close, started again, it processes every window it missed", async () => {
    const region = `kill-anomaly-${tag}`;
    const closedTopic = `${suite.stack().env.KAFKA_TOPIC_PREFIX ?? ""}aggregations.closed`;
    const groupId = suite.stack().env.ANOMALY_GROUP_ID ?? "";
    const admin = kafka.admin();
    await admin.connect();
    const emitted = async () =>
      (await admin.fetchTopicOffsets(closedTopic)).reduce((sum, { high }) => sum + Number(high), 0);
    try {
      const load = startLoad(suite.stack().baseUrl, {
        ingestKey: suite.credentials().ingestKey,
        region,
        types: TYPES,
      });
      await suite.stack().kill("anomaly");
      const atKill = await emitted();
      // windows of this region close while the worker is away
      await waitFor(
        async () => {
          const [row] = await sql<{ n: number }[]>`
            select count(*)::int as n from aggregations
            where region = ${region} and emitted_at is not null`;
          return (row?.n ?? 0) > 0 && (await emitted()) > atKill;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 500,
          what: "windows of this region to close while the worker is away",
        },
      );
      await suite.stack().restart("anomaly");
      const report = await load.stop();
      await suite.expectExactAndCaughtUp(region, report);
      // a window's emitted_at is set in the transaction that sent it to Kafka, so a window seen
      // emitted here is on the topic: the worker must reach it, however late it was sent
      const behind = async () => {
        const [states] = await sql<{ behind: number; series: number }[]>`
          with newest as (
            select window_seconds, event_type, max(window_start) as window_start from aggregations
            where region = ${region} and emitted_at is not null
            group by 1, 2
          )
          select count(*) filter (where s.last_window_start is null or s.last_window_start < n.window_start)::int as behind,
                 count(*)::int as series
          from newest n left join detector_states s
            on s.window_seconds = n.window_seconds and s.event_type = n.event_type
           and s.region = ${region} and s.metric = 'count'`;
        return states ?? { behind: -1, series: 0 };
      };
      await waitFor(
        async () => {
          const end = await emitted();
          const [offsets] = await admin.fetchOffsets({ groupId, topics: [closedTopic] });
          const committed = (offsets?.partitions ?? []).reduce(
            (sum, p) => sum + Math.max(0, Number(p.offset)),
            0,
          );
          return committed >= end && (await behind()).behind === 0;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 500,
          what: "the anomaly worker to catch up with the closed windows",
        },
      );
      // every closed window of this region reached the detector: its series' state moved to the
      // newest closed window
      const states = await behind();
      expect(states.series).toBeGreaterThan(0);
      expect(states.behind).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });

  it("alerts worker: a notification queued while it is dead is delivered once after it starts again", async () => {
    const received: string[] = [];
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push(
          (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { delivery_id: string }).delivery_id,
        );
        response.statusCode = 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const created = await fetch(`${suite.stack().baseUrl}/api/alerts/rules`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...suite.auth("member") },
        body: JSON.stringify({
          name: `kill-alerts-${tag}`,
          event_type: "purchase",
          region: `kill-alerts-${tag}`,
          metric: "count",
          window_seconds: 60,
          condition: { type: "threshold", operator: "above", value: 1_000_000 },
          for_windows: 1,
          severity: "low",
          channels: {
            in_app: false,
            webhook: { url: `http://127.0.0.1:${port}/hook`, secret: "fault-secret-1" },
          },
        }),
      });
      const body = (await created.json()) as { rule: { id: string } };
      expect(created.status, JSON.stringify(body)).toBe(201);
      const { rule } = body;
      await suite.stack().kill("alerts");
      const tested = await fetch(`${suite.stack().baseUrl}/api/alerts/rules/${rule.id}/test`, {
        method: "POST",
        headers: suite.auth("member"),
      });
      expect(tested.status).toBe(202);
      const { delivery } = (await tested.json()) as { delivery: { id: string; status: string } };
      expect(delivery.status).toBe("pending");
      await suite.stack().restart("alerts");
      await waitFor(
        async () => {
          const [row] = await sql<
            { status: string }[]
          >`select status from alert_deliveries where id = ${delivery.id}`;
          return row?.status === "delivered";
        },
        { timeoutMs: 60_000, intervalMs: 200, what: "the delivery to be marked delivered" },
      );
      expect(received.filter((id) => id === delivery.id)).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { Partitioners } from "kafkajs";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedWindowSchema, closedWindowsTopic, type ClosedWindow } from "@/lib/events/closed-window";
import { enrichEvent } from "@/lib/events/enrich";
import { partitionKeyFor, topicForType } from "@/lib/events/routing";
import { testClients } from "../support/clients";
import { isolatedEnv, ProcessorFleet } from "../support/processors";
import { waitFor } from "../support/wait-for";

const clients = testClients();
const fleet = new ProcessorFleet();
// Window closing is per database: a database of its own keeps other test stacks' closers away.
const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/analytics_test_windows";
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => undefined });
const ROOT = path.resolve(import.meta.dirname, "../..");

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "scripts/db-setup.ts"],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL },
    },
  );
});
afterAll(async () => {
  fleet.killAll();
  await sql.end();
  await clients.close();
});

describe("event-time windows", () => {
  it("closes a window once its end passes the watermark, emits it once, and keeps later events out of it", async () => {
    const tag = randomBytes(3).toString("hex");
    const region = `win-${tag}`;
    const env = isolatedEnv(clients.env, tag, {
      EVENT_TYPES: "click",
      WINDOW_SIZES_SECONDS: "60",
      ALLOWED_LATENESS_MS: "2000",
      IDLE_PARTITION_MS: "1000",
      WINDOW_CLOSE_INTERVAL_MS: "200",
      DATABASE_URL,
    });
    const prefix = env.KAFKA_TOPIC_PREFIX ?? "";
    // A window that ended minutes ago, and that no earlier run in this database used: a run
    // a minute before would have closed it (its marker event fills the next window), and
    // events of a closed window are late, whatever their type and region.
    let windowStart = Math.floor(Date.now() / 60_000) * 60_000 - 180_000;
    for (;;) {
      const [used] = await sql`select 1 from aggregations
        where window_seconds = 60 and window_start in (${new Date(windowStart)}, ${new Date(windowStart + 60_000)})
        limit 1`;
      if (!used) break;
      windowStart -= 120_000;
    }
    const producer = clients.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const send = async (count: number, offsetMs: number) => {
      const now = Date.now();
      const events = Array.from({ length: count }, (_, i) =>
        enrichEvent(
          {
            input: { event_type: "click", region, user_id: `u${i}`, value: 2 },
            timestamp: windowStart + offsetMs + i,
          },
          { receivedAt: now, correlationId: tag, userAgent: "windows-test", projectId: "default" },
        ),
      );
      await producer.send({
        topic: topicForType("click", { prefix, eventTypes: ["click"] }),
        acks: -1,
        messages: events.map((event) => ({ key: partitionKeyFor(event), value: JSON.stringify(event) })),
      });
      return events.map((event) => event.event_id);
    };

    const closed: ClosedWindow[] = [];
    const consumer = clients.kafka.consumer({ groupId: `win-reader-${tag}` });
    fleet.start(`windows-${tag}`, env);
    try {
      await send(40, 5_000);
      await waitFor(
        async () => {
          const [row] = await sql`select closed_at from aggregations
          where window_seconds = 60 and event_type = 'click' and region = ${region}`;
          return row?.closed_at != null;
        },
        { timeoutMs: 60_000, what: "the window to close" },
      );

      await consumer.connect();
      await consumer.subscribe({ topic: closedWindowsTopic(prefix), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const window = closedWindowSchema.parse(JSON.parse(message.value?.toString() ?? "{}"));
          if (window.region === region) closed.push(window);
        },
      });
      await waitFor(() => closed.length >= 2, { timeoutMs: 30_000, what: "the closed window messages" });
      const byType = new Map(closed.map((window) => [window.event_type, window]));
      expect(byType.get("click")).toMatchObject({
        window_start: new Date(windowStart).toISOString(),
        count: 40,
        sum: 80,
        distinct_users: 40,
      });
      expect(byType.get("*")).toMatchObject({ count: 40 });

      // a late event: stored raw and flagged, counted nowhere, and the window is not emitted again
      const [lateId] = await send(1, 30_000);
      await waitFor(
        async () => {
          const [row] = await sql`select late from raw_events where event_id = ${lateId ?? ""}`;
          return row !== undefined;
        },
        { what: "the late event to be stored" },
      );
      const [raw] = await sql`select late from raw_events where event_id = ${lateId ?? ""}`;
      expect(raw?.late).toBe(true);
      const [agg] = await sql`select event_count::int as n from aggregations
        where window_seconds = 60 and event_type = 'click' and region = ${region}`;
      expect(agg?.n).toBe(40);
      // a marker in the next window: once that window is emitted, the closer has run after the late event
      await send(1, 65_000);
      const nextWindow = new Date(windowStart + 60_000).toISOString();
      await waitFor(() => closed.some((window) => window.window_start === nextWindow), {
        timeoutMs: 30_000,
        what: "the next window to be emitted",
      });
      const emitted = closed.filter((window) => window.window_start === new Date(windowStart).toISOString());
      expect(emitted.filter((window) => window.event_type === "click")).toHaveLength(1);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});

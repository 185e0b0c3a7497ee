import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { postEvents, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const kafkaScript = (command: string) =>
  run("bash", [path.join(ROOT, "scripts/kafka/kafka.sh"), command], { cwd: ROOT });

const clients = testClients();
afterAll(async () => {
  await kafkaScript("start"); // never leave the broker down for the suites after this one
  await clients.close();
});

describe("Kafka unavailable", () => {
  it("answers 503 with Retry-After while the broker is stopped, and 202 again after it restarts", async () => {
    await kafkaScript("stop");
    const down = await postEvents(clients.baseUrl, [{ event_type: "click", region: "outage" }]);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((down.body.error as { code: string }).code).toBe("broker_unavailable");
    expect(down.body.event_ids).toHaveLength(1);

    await kafkaScript("start");
    let accepted: string[] = [];
    await waitFor(
      async () => {
        const up = await postEvents(clients.baseUrl, [{ event_type: "click", region: "outage" }]);
        if (up.status === 202) accepted = up.body.event_ids as string[];
        return up.status === 202;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "POST /api/events to succeed after the restart" },
    );
    // the processor reconnects too: the accepted event reaches PostgreSQL
    await waitFor(
      async () => {
        const [row] =
          await clients.sql`select count(*)::int as n from raw_events where event_id = ${accepted[0] ?? ""}`;
        return row?.n === 1;
      },
      { timeoutMs: 90_000, what: "the event accepted after the restart to be stored" },
    );
  });
});

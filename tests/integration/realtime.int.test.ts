import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { authHeaders, postEvents, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

async function realtime(): Promise<{ by_region: Record<string, number>; active_sessions: number }> {
  const response = await fetch(`${clients.baseUrl}/api/metrics/realtime?seconds=300`, {
    headers: authHeaders("viewer"),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { by_region: Record<string, number>; active_sessions: number };
}

describe("real-time layer in Redis", () => {
  it("counts active sessions and rebuilds the counters from PostgreSQL after Redis lost them", async () => {
    const region = `rt-${randomBytes(3).toString("hex")}`;
    const before = (await realtime()).active_sessions;
    const events = Array.from({ length: 120 }, (_, i) => ({
      event_type: "click",
      region,
      session_id: `${region}-s${i % 30}`,
    }));
    expect((await postEvents(clients.baseUrl, events)).status).toBe(202);
    await waitFor(async () => (await realtime()).by_region[region] === 120, { what: "the live counters" });
    expect((await realtime()).active_sessions).toBeGreaterThanOrEqual(before + 29); // HyperLogLog: within ~1 %

    // Redis loses the test stack's keys (as after a restart without persistence) ...
    const redis = new Redis("redis://127.0.0.1:6379");
    const prefix = clients.env.REDIS_KEY_PREFIX ?? "";
    const keys = await redis.keys(`${prefix}rt:*`);
    if (keys.length > 0) await redis.del(...keys);
    expect((await realtime()).by_region[region]).toBeUndefined();
    // ... and the processor's connection drops: when it reconnects, it rebuilds from raw_events.
    const clientsList = await redis.client("LIST");
    const processorIds = String(clientsList)
      .split("\n")
      .filter((line) => line.includes("name=analytics-processor"))
      .map((line) => /id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(processorIds.length).toBeGreaterThan(0);
    for (const id of processorIds) await redis.client("KILL", "ID", id);
    redis.disconnect();
    await waitFor(async () => (await realtime()).by_region[region] === 120, {
      timeoutMs: 30_000,
      what: "the counters to be rebuilt",
    });
  });
});

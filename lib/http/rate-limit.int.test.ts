import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

// a limit of 100 requests a second: 200 points per 2 s window, leased 10 at a time
const prefix = `rl-test-${randomBytes(3).toString("hex")}:`;
process.env.RATE_LIMIT_INGEST_PER_KEY = "100";
process.env.REDIS_KEY_PREFIX = prefix;
const { enforceRateLimit, leaseSize, takeLeasedPoint } = await import("./rate-limit");
const { getWebRedis } = await import("../realtime/redis-client");

const redis = new Redis("redis://127.0.0.1:6379");
afterAll(async () => {
  redis.disconnect();
  getWebRedis().disconnect();
});

describe("an ingest key's rate limit, counted in leases", () => {
  it("asks Redis once per lease, admits exactly the limit in one process, then refuses with 429", async () => {
    expect(leaseSize(200)).toBe(10);
    const key = `key-${randomBytes(3).toString("hex")}`;
    for (let i = 0; i < 15; i++) await enforceRateLimit("ingest_key", key);
    // 15 requests took two leases of 10: Redis counted 20 points, in two round trips
    expect(Number(await redis.get(`${prefix}ratelimit:ingest_key:${key}`))).toBe(20);

    let admitted = 15;
    let refusal: unknown;
    try {
      for (; admitted < 300; admitted++) await enforceRateLimit("ingest_key", key);
    } catch (error) {
      refusal = error;
    }
    expect(admitted).toBe(200);
    expect(refusal).toMatchObject({ code: "rate_limited" });
  });

  it("spends a lease without a promise on the hot path, and sends the caller to Redis once it is spent", async () => {
    const key = `key-${randomBytes(3).toString("hex")}`;
    expect(takeLeasedPoint("ingest_key", key)).toBe(false); // no lease yet
    await enforceRateLimit("ingest_key", key); // takes a lease of 10 and spends 1
    let spent = 0;
    while (takeLeasedPoint("ingest_key", key)) spent++;
    expect(spent).toBe(9);
    await enforceRateLimit("ingest_key", key); // the next lease
    expect(Number(await redis.get(`${prefix}ratelimit:ingest_key:${key}`))).toBe(20);
  });

  it("takes the next lease ahead once a quarter of the one in hand is left, adding to it", async () => {
    const key = `key-${randomBytes(3).toString("hex")}`;
    const counted = async () => Number(await redis.get(`${prefix}ratelimit:ingest_key:${key}`));
    await enforceRateLimit("ingest_key", key); // a lease of 10, 9 left
    for (let i = 0; i < 6; i++) expect(takeLeasedPoint("ingest_key", key)).toBe(true);
    expect(await counted()).toBe(10); // 3 left: nothing asked yet
    expect(takeLeasedPoint("ingest_key", key)).toBe(true); // 2 left: the next lease is asked for
    // wait for that request itself: Redis may count the lease before this process adds it
    const leases = (globalThis as Record<symbol, { pending: Map<string, Promise<void>> } | undefined>)[
      Symbol.for("analytics.rate-limit-leases")
    ];
    const asked = leases?.pending.get(key);
    expect(asked).toBeDefined();
    await asked;
    expect(await counted()).toBe(20);
    let spent = 0;
    while (takeLeasedPoint("ingest_key", key)) spent++;
    // the 2 left and the 10 taken ahead, without waiting; the third lease was asked for on the way
    expect(spent).toBe(12);
    await expect.poll(counted).toBe(30);
  });
});

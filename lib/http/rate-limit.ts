import "server-only";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { logger } from "../logger";
import { rateLimitedTotal } from "../metrics";
import { getWebRedis } from "../realtime/redis-client";

/**
 * Request limits shared by every web process through Redis (rate-limiter-flexible). While
 * Redis is away each process counts on its own (the insurance limiter): limits stay on and
 * ingest goes on. Over a limit: 429 rate_limited with Retry-After.
 */
export type LimitName = "ip" | "ingest_key" | "sign_in";

interface LimitRule {
  points: number;
  durationSeconds: number;
  what: string;
}

function rules(): Record<LimitName, LimitRule> {
  const env = getEnv();
  return {
    // a rate per second, with a burst of twice as many: the window is 2 s
    ip: { points: env.RATE_LIMIT_PER_IP * 2, durationSeconds: 2, what: "requests from this address" },
    ingest_key: {
      points: env.RATE_LIMIT_INGEST_PER_KEY * 2,
      durationSeconds: 2,
      what: "requests with this key",
    },
    sign_in: {
      points: env.RATE_LIMIT_SIGN_IN,
      durationSeconds: 15 * 60,
      what: "sign-in attempts from this address",
    },
  };
}

const globalKey = Symbol.for("analytics.rate-limiters");
type GlobalWithLimiters = typeof globalThis & { [globalKey]?: Map<LimitName, RateLimiterRedis> };

function limiter(name: LimitName): RateLimiterRedis {
  const holder = globalThis as GlobalWithLimiters;
  const limiters = (holder[globalKey] ??= new Map());
  let existing = limiters.get(name);
  if (!existing) {
    const rule = rules()[name];
    existing = new RateLimiterRedis({
      storeClient: getWebRedis(),
      keyPrefix: `${getEnv().REDIS_KEY_PREFIX}ratelimit:${name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: rule.points, duration: rule.durationSeconds }),
    });
    limiters.set(name, existing);
  }
  return existing;
}

/** Points a process takes from Redis at once for a key (1: every request asks Redis). */
export function leaseSize(points: number): number {
  return Math.max(1, Math.min(100, Math.floor(points / 20)));
}

interface Lease {
  left: number;
  expiresAt: number;
  /** points a lease of this key takes */
  size: number;
}

interface LeaseState {
  leases: Map<string, Lease>;
  /** the lease request under way per key (one at a time) */
  pending: Map<string, Promise<void>>;
}

const leasesKey = Symbol.for("analytics.rate-limit-leases");
type GlobalWithLeases = typeof globalThis & { [leasesKey]?: LeaseState };

function leaseState(): LeaseState {
  const holder = globalThis as GlobalWithLeases;
  return (holder[leasesKey] ??= { leases: new Map(), pending: new Map() });
}

/**
 * Takes a lease of `size` points of the key's window from Redis. A lease taken ahead in the
 * window of the one in hand adds to it; one of a new window replaces it (the old one's points
 * were counted in its own window: they are not carried over).
 */
function takeLease(state: LeaseState, name: LimitName, key: string, size: number): Promise<void> {
  const taking = limiter(name)
    .consume(key, size)
    .then((result) => {
      const now = Date.now();
      if (state.leases.size > 10_000)
        for (const [other, old] of state.leases) if (old.expiresAt <= now) state.leases.delete(other);
      const expiresAt = now + result.msBeforeNext;
      const held = state.leases.get(key);
      const sameWindow =
        held !== undefined &&
        held.expiresAt > now &&
        expiresAt - held.expiresAt < (rules()[name].durationSeconds * 1000) / 2;
      if (held && sameWindow) held.left += size;
      else state.leases.set(key, { left: size, expiresAt, size });
    })
    .finally(() => state.pending.delete(key));
  state.pending.set(key, taking);
  return taking;
}

/**
 * Spends a point of a lease in hand, and asks for the next lease once a quarter of it is left,
 * so that a busy key's requests rarely wait for Redis (without it, every request arriving while
 * a lease was being taken waited a round trip: a quarter of one-event requests at 32
 * connections). A refused lease taken ahead refuses nothing by itself: the requests that find
 * the lease spent then wait for it and get its 429.
 */
function spend(state: LeaseState, name: LimitName, key: string, lease: Lease): void {
  lease.left -= 1;
  if (lease.left <= Math.floor(lease.size / 4) && !state.pending.has(key))
    takeLease(state, name, key, lease.size).catch(() => undefined);
}

/**
 * Ingest keys are counted in leases: a process takes `leaseSize` points of the key's window
 * from Redis at once and spends them in memory, so a busy key costs one Redis round trip per
 * `leaseSize` requests instead of one per request (the hottest path's main cost after the
 * work itself). The points are counted in Redis when leased, so the limit is never exceeded;
 * a lease is refused whole when fewer points are left, and a process's unspent leases are
 * unavailable to the others, so a key may be refused up to processes x 1.25 x leaseSize
 * requests early (about 6 % of the limit per process; a limit under 40 a second leases 1:
 * exact).
 */
async function consumeLeased(name: LimitName, key: string, size: number): Promise<void> {
  const state = leaseState();
  for (;;) {
    const lease = state.leases.get(key);
    if (lease && lease.left > 0 && lease.expiresAt > Date.now()) {
      spend(state, name, key, lease);
      return;
    }
    // one lease request per key at a time: concurrent requests wait for it, then spend from it
    await (state.pending.get(key) ?? takeLease(state, name, key, size));
  }
}

/**
 * Spends one point of a leased limit (`ingest_key`) from this process's lease, without a
 * promise, when the lease has one left: true. False: count it with `enforceRateLimit`.
 */
export function takeLeasedPoint(name: "ingest_key", key: string): boolean {
  // leases are kept by key: ingest_key is the one leased limit
  const state = (globalThis as GlobalWithLeases)[leasesKey];
  const lease = state?.leases.get(key);
  if (!state || !lease || lease.left <= 0 || lease.expiresAt <= Date.now()) return false;
  spend(state, name, key, lease);
  return true;
}

/** Counts one request against `name` for `key`; throws 429 rate_limited once over. */
export async function enforceRateLimit(name: LimitName, key: string): Promise<void> {
  try {
    const size = name === "ingest_key" ? leaseSize(rules()[name].points) : 1;
    if (size > 1) await consumeLeased(name, key, size);
    else await limiter(name).consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      rateLimitedTotal.inc({ limit: name });
      const rule = rules()[name];
      throw new AppError(
        "rate_limited",
        `Too many ${rule.what}: at most ${rule.points} per ${rule.durationSeconds} s`,
        { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) },
      );
    }
    // neither store answered: let the request through rather than fail it
    logger.warn({ err: rejection, limit: name }, "rate_limit_unavailable");
  }
}

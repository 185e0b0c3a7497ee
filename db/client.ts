import "server-only";
import net from "node:net";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;
/** A client or an open transaction: what a function that takes part in a transaction accepts. */
export type SqlLike = postgres.Sql | postgres.TransactionSql;

interface DbState {
  sql: Sql;
  db: Database;
}

// One pool per process, shared by every route bundle.
const globalKey = Symbol.for("analytics.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: DbState };

/**
 * TRICKY: postgres.js writes COPY data and its end marker as separate packets; with
 * Nagle's algorithm on, the second waits for the server's delayed ACK (~40 ms) and every
 * batch paid it twice. A socket with TCP_NODELAY sends them at once.
 * The socket is returned while still connecting (postgres.js queues its first writes):
 * a factory that rejects (ECONNREFUSED while PostgreSQL restarts) leaves postgres.js's
 * connection stuck in "connecting" for good, and once every pooled connection had met
 * one, the pool never reconnected. A refused socket instead emits error and close, which
 * postgres.js handles as any dropped connection, and its connect_timeout still applies.
 */
function connectWithoutDelay(options: { host: string[]; port: number[] }): net.Socket {
  return net.connect({
    host: options.host[0] ?? "127.0.0.1",
    port: options.port[0] ?? 5432,
    noDelay: true,
  });
}

/**
 * Seconds a pooled connection waits before its next connect after a failed one.
 * TRICKY: postgres.js's default grows 3^n/100 s with every failure across the pool, up to
 * 20 s, and counts on until a connect succeeds; a 15 s PostgreSQL restart with queries
 * arriving ran it to its cap, and queries answered again only 5-20 s after PostgreSQL was
 * back (a CI run: 5.7 s). Here it grows from 50 ms and stops at 1 s, jittered so that the
 * pool's connections do not retry in step.
 */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
}

interface PoolSettings {
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** A postgres.js pool with this project's connection settings (one per process: getSql). */
export function createPool(url: string, settings: PoolSettings): Sql {
  return postgres(url, {
    max: settings.max,
    // seconds: a PostgreSQL that is down fails a query within this, instead of hanging it
    connect_timeout: settings.connectTimeoutMs / 1000,
    backoff: reconnectDelaySeconds,
    onnotice: () => undefined,
    connection: {
      // role and pid: an operator (or a test) finds a process's sessions in pg_stat_activity
      application_name: `${process.title.startsWith("analytics-") ? "" : "analytics-"}${process.title}:${process.pid}`,
      // TRICKY: the batch statements' cost estimates pass jit_above_cost, and compiling
      // them took ~200 ms of a ~1 s batch while saving nothing on ~20 K rows. Every query
      // here is a short statement or a bounded batch: no JIT.
      jit: "off",
      statement_timeout: settings.statementTimeoutMs,
    },
    // not in postgres.js's type definitions, but a documented option of its connection code
    ...({ socket: connectWithoutDelay } as Record<string, unknown>),
  });
}

function getState(): DbState {
  const holder = globalThis as GlobalWithDb;
  if (holder[globalKey]) return holder[globalKey];
  const env = getEnv();
  const sql = createPool(env.DATABASE_URL, {
    max: env.DATABASE_POOL_SIZE,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const state = { sql, db: drizzle(sql, { schema }) };
  holder[globalKey] = state;
  return state;
}

/** The drizzle database of this process. */
export function getDb(): Database {
  return getState().db;
}

/** The raw postgres.js client, for what drizzle does not express (bulk unnest, COPY). */
export function getSql(): Sql {
  return getState().sql;
}

/**
 * Resolves once PostgreSQL answers again (or `stopped()` says to give up), polling every
 * `intervalMs`; one log line when the wait starts and one when it ends, not one per poll.
 */
export async function waitForDatabase(stopped: () => boolean, intervalMs = 500): Promise<void> {
  const started = performance.now();
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      await getSql()`select 1`;
      if (attempt > 1)
        logger.info({ waited_ms: Math.round(performance.now() - started) }, "postgres_available_resuming");
      return;
    } catch (error) {
      if (attempt === 1) logger.warn({ err: error }, "postgres_unavailable_pausing");
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export async function closeDb(): Promise<void> {
  const holder = globalThis as GlobalWithDb;
  const state = holder[globalKey];
  if (!state) return;
  holder[globalKey] = undefined;
  await state.sql.end({ timeout: 5 });
}

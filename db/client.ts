import "server-only";
import { once } from "node:events";
import net from "node:net";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { getEnv } from "@/lib/env";
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
 */
async function connectWithoutDelay(options: { host: string[]; port: number[] }): Promise<net.Socket> {
  const socket = net.connect({
    host: options.host[0] ?? "127.0.0.1",
    port: options.port[0] ?? 5432,
    noDelay: true,
  });
  await once(socket, "connect");
  return socket;
}

function getState(): DbState {
  const holder = globalThis as GlobalWithDb;
  if (holder[globalKey]) return holder[globalKey];
  const env = getEnv();
  const sql = postgres(env.DATABASE_URL, {
    max: env.DATABASE_POOL_SIZE,
    onnotice: () => undefined,
    connection: {
      // role and pid: an operator (or a test) finds a process's sessions in pg_stat_activity
      application_name: `${process.title.startsWith("analytics-") ? "" : "analytics-"}${process.title}:${process.pid}`,
      // TRICKY: the batch statements' cost estimates pass jit_above_cost, and compiling
      // them took ~200 ms of a ~1 s batch while saving nothing on ~20 K rows. Every query
      // here is a short statement or a bounded batch: no JIT.
      jit: "off",
    },
    // not in postgres.js's type definitions, but a documented option of its connection code
    ...({ socket: connectWithoutDelay } as Record<string, unknown>),
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

export async function closeDb(): Promise<void> {
  const holder = globalThis as GlobalWithDb;
  const state = holder[globalKey];
  if (!state) return;
  holder[globalKey] = undefined;
  await state.sql.end({ timeout: 5 });
}

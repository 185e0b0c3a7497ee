/**
 * Creates the database named in DATABASE_URL when it is missing, applies the checked-in
 * migrations and creates raw_events' day partitions. Safe to run again.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { ensureRawEventPartitions, partitionHorizon } from "@/db/partitions";
import { getEnv } from "@/lib/env";

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) {
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
      console.log(`created database ${name}`);
    }
  } finally {
    await sql.end();
  }
}

async function main(): Promise<void> {
  const env = getEnv();
  await ensureDatabase(env.DATABASE_URL);
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    await migrate(drizzle(sql), { migrationsFolder: "db/migrations" });
    const { fromMs, toMs } = partitionHorizon(Date.now(), env.RETENTION_DAYS);
    const created = await ensureRawEventPartitions(sql, fromMs, toMs);
    console.log(`database ready (${created} new raw_events partitions)`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/extension "(hll|tdigest)"/.test(message) || /could not open extension control file/.test(message)) {
      console.error(
        "PostgreSQL lacks the hll or tdigest extension. Install them on the database server " +
          "(Debian: apt-get install postgresql-<version>-hll postgresql-<version>-tdigest), then run again.",
      );
    }
    throw error;
  } finally {
    await sql.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

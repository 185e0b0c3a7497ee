/**
 * `npm run restore -- --from <file or folder> [--database-url <url>] [--replace]`: restores a
 * backup of `npm run backup` (a folder: its newest .dump) into the database DATABASE_URL names.
 * It restores into a database of its own first and renames it into place only once complete,
 * so a worker that keeps running meanwhile finds either no database or the whole backup, never
 * a half-restored one. The target must not exist unless --replace (which drops it, ending its
 * sessions). Then processors resume from the offsets in the backup: docs/operations.md.
 * Last, it checks Kafka still holds every record after those offsets (a backup older than the
 * topics' retention has lost some): a gap, or Kafka not answering, is printed and the exit
 * code is 3 (the database is restored either way).
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { getEnv } from "@/lib/env";
import { createAdmin, createKafka } from "@/lib/kafka/client";
import { databaseOf, ident, runTool, withAdmin } from "./pg-tools";

const { values } = parseArgs({
  options: {
    from: { type: "string" },
    "database-url": { type: "string" },
    replace: { type: "boolean", default: false },
  },
});
if (values.from === undefined) {
  console.error(
    "usage: npm run restore -- --from <backup file or folder> [--database-url <url>] [--replace]",
  );
  process.exit(2);
}

async function newestDump(from: string): Promise<string> {
  if (!(await stat(from)).isDirectory()) return from;
  const dumps = (await readdir(from)).filter((entry) => entry.endsWith(".dump")).sort();
  const newest = dumps.at(-1);
  if (newest === undefined) throw new Error(`no .dump file in ${from}`);
  return path.join(from, newest);
}

const url = values["database-url"] ?? getEnv().DATABASE_URL;
const { name, adminUrl, withName } = databaseOf(url);
const staging = `${name}__restoring`;
const started = performance.now();
try {
  const file = await newestDump(path.resolve(values.from));
  await runTool("pg_restore", ["--list", file]);
  await withAdmin(adminUrl, async (sql) => {
    const [exists] = await sql`select 1 from pg_database where datname = ${name}`;
    if (exists && !values.replace) throw new Error(`database ${name} exists; --replace drops it first`);
    await sql.unsafe(`drop database if exists ${ident(staging)} with (force)`);
    await sql.unsafe(`create database ${ident(staging)}`);
  });
  await runTool("pg_restore", [
    "--exit-on-error",
    "--no-owner",
    "--jobs=2",
    `--dbname=${withName(staging)}`,
    file,
  ]);
  const restoredAt = performance.now();
  await withAdmin(adminUrl, async (sql) => {
    if (values.replace) await sql.unsafe(`drop database if exists ${ident(name)} with (force)`);
    await sql.unsafe(`alter database ${ident(staging)} rename to ${ident(name)}`);
  });
  console.log(
    JSON.stringify({
      msg: "backup_restored",
      database: name,
      from: file,
      restore_seconds: Number(((restoredAt - started) / 1000).toFixed(2)),
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    }),
  );
  const gaps = await retentionGaps(url).catch((error: unknown) => {
    console.error(`restored, but Kafka's retention could not be checked: ${String(error)}`);
    process.exitCode = 3;
    return undefined;
  });
  if (gaps) console.log(JSON.stringify({ msg: "kafka_retention_checked", ...gaps }));
  if (gaps && gaps.gaps.length > 0) {
    console.error(
      "Kafka no longer holds every record after the offsets in this backup (older than the topics' retention): " +
        "the events in the gaps above are lost; see docs/operations.md#backups-and-restore",
    );
    process.exitCode = 3;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await withAdmin(adminUrl, (sql) =>
    sql.unsafe(`drop database if exists ${ident(staging)} with (force)`),
  ).catch(() => undefined);
  process.exit(1);
}

/**
 * Each stored consumer offset against its partition's oldest record still in Kafka: a stored
 * offset below it means the records in between were deleted by retention, never processed.
 */
async function retentionGaps(
  url: string,
): Promise<{ partitions: number; gaps: { group: string; partition: string; lost: number }[] }> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const admin = createAdmin(createKafka("restore"));
  try {
    const stored = await sql<{ group_id: string; topic: string; partition: number; next_offset: string }[]>`
      select group_id, topic, partition, next_offset from consumer_offsets`;
    await admin.connect();
    const oldest = new Map<string, number>();
    for (const topic of new Set(stored.map((row) => row.topic))) {
      for (const { partition, low } of await admin.fetchTopicOffsets(topic))
        oldest.set(`${topic}/${partition}`, Number(low));
    }
    const gaps = stored
      .map((row) => ({
        group: row.group_id,
        partition: `${row.topic}/${row.partition}`,
        lost: (oldest.get(`${row.topic}/${row.partition}`) ?? 0) - Number(row.next_offset),
      }))
      .filter((gap) => gap.lost > 0);
    return { partitions: stored.length, gaps };
  } finally {
    await admin.disconnect();
    await sql.end();
  }
}

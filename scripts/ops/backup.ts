/**
 * `npm run backup -- [--out <folder or file>] [--database-url <url>]`: a pg_dump of the whole
 * database in the custom format (compressed; `npm run restore` reads it). pg_dump reads one
 * snapshot, so the consumer offsets in the backup are exactly those of the events and
 * aggregates in it: a restore resumes from them (docs/operations.md#backups-and-restore).
 * A folder (default .local/backups) gets `<database>-<UTC time>.dump`; the file appears only
 * once complete (written as .partial, checked with pg_restore --list, then renamed).
 */
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "@/lib/env";
import { databaseOf, runTool } from "./pg-tools";

const { values } = parseArgs({
  options: { out: { type: "string" }, "database-url": { type: "string" } },
});
const url = values["database-url"] ?? getEnv().DATABASE_URL;
const { name } = databaseOf(url);
const out = path.resolve(values.out ?? ".local/backups");
const stamp = new Date()
  .toISOString()
  .replace(/[-:]/g, "")
  .replace(/\.\d+Z$/, "Z");
const file = out.endsWith(".dump") ? out : path.join(out, `${name}-${stamp}.dump`);
const partial = `${file}.partial`;

const started = performance.now();
try {
  await mkdir(path.dirname(file), { recursive: true });
  await runTool("pg_dump", ["--format=custom", "--compress=6", `--file=${partial}`, `--dbname=${url}`]);
  // a truncated or unreadable archive fails here, not on the day it is needed
  const entries = (await runTool("pg_restore", ["--list", partial]))
    .split("\n")
    .filter((line) => /^\d+;/.test(line));
  await rename(partial, file);
  const { size } = await stat(file);
  console.log(
    JSON.stringify({
      msg: "backup_written",
      database: name,
      path: file,
      bytes: size,
      entries: entries.length,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    }),
  );
} catch (error) {
  await rm(partial, { force: true });
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

/**
 * What `npm run backup` and `npm run restore` share: PostgreSQL's own client tools (pg_dump,
 * pg_restore) run to their end, and an admin connection to the server's `postgres` database.
 */
import { spawn } from "node:child_process";
import postgres from "postgres";

/** The database a URL names, and the same server's `postgres` database (to create and drop). */
export function databaseOf(url: string): { name: string; adminUrl: string; withName(name: string): string } {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (name === "") throw new Error("the database URL names no database");
  const withName = (other: string) => {
    const copy = new URL(url);
    copy.pathname = `/${encodeURIComponent(other)}`;
    return copy.toString();
  };
  return { name, adminUrl: withName("postgres"), withName };
}

/** Runs a PostgreSQL client tool; rejects with its stderr when it exits non-zero. */
export function runTool(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) =>
      reject(new Error(`${command} could not run (${error.message}); install PostgreSQL's client tools`)),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited ${code}: ${stderr.trim()}`));
    });
  });
}

export async function withAdmin<T>(adminUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** A database name as an SQL identifier. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

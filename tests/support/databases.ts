/**
 * Databases of a test's own on the local PostgreSQL (made with `npm run db:setup`, dropped
 * after), and the repository's npm scripts run to their end.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import postgres from "postgres";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVER_URL = "postgres://postgres@127.0.0.1:5432";

/** Runs an npm script of this repository (`npm run backup ...`) to its end; its stdout. */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const { code, stdout, stderr } = await runScriptStatus(script, args, env);
  if (code !== 0) throw new Error(`npm run ${script} exited ${code}: ${stderr}${stdout}`);
  return stdout;
}

/** The JSON line of a script's output whose `msg` is `msg`. */
export function jsonLine<T>(stdout: string, msg: string): T {
  const line = stdout.split("\n").find((text) => text.includes(`"msg":"${msg}"`));
  if (line === undefined) throw new Error(`no ${msg} line in: ${stdout}`);
  return JSON.parse(line) as T;
}

/** Runs an npm script to its end, whatever its exit code. */
export function runScriptStatus(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

/** A fresh, migrated database (`npm run db:setup`). */
export async function createDatabase(name: string): Promise<string> {
  const url = `${SERVER_URL}/${name}`;
  await runScript("db:setup", [], { DATABASE_URL: url });
  return url;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(`${SERVER_URL}/postgres`, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

/**
 * The image's dependencies, checked without a Docker engine: the tracked files in a folder of
 * their own, `npm ci` and then the Dockerfile's own `npm prune` command (read from the
 * Dockerfile), as its build stage does. What is left must hold everything production code can
 * reach and none of the development tools, and the web app and a processor must run from it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionCredentials, type TestCredentials } from "../support/credentials";
import { createDatabase, dropDatabase } from "../support/databases";
import { freePort } from "../support/fault-stack";
import { ensureServersRunning } from "../support/servers";
import { testEnv } from "../support/stack";
import { waitFor } from "../support/wait-for";

const ROOT = path.resolve(import.meta.dirname, "../..");
const tag = randomBytes(3).toString("hex");
const database = `analytics_image_${tag}`;
const dir = mkdtempSync(path.join(tmpdir(), "pulse-image-"));

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
type LockPackages = Record<string, LockEntry>;

/** Where Node.js finds `name` from the package at `from` (a lockfile path, "" for the root). */
function resolveIn(packages: LockPackages, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf("/node_modules/");
    base = at < 0 ? "" : base.slice(0, at);
  }
}

/**
 * The packages production code can load: the root's dependencies and, from each of them on,
 * dependencies, optional dependencies and the peers that are not optional. An optional peer
 * (vitest for better-auth, Playwright for Next.js) is only there if something else needs it.
 */
function reachableFromProduction(packages: LockPackages): Set<string> {
  const reached = new Set<string>();
  const visit = (from: string) => {
    const entry = packages[from] ?? {};
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...(from === ""
        ? []
        : Object.keys(entry.peerDependencies ?? {}).filter(
            (name) => !entry.peerDependenciesMeta?.[name]?.optional,
          )),
    ];
    for (const name of names) {
      const found = resolveIn(packages, from, name);
      if (found && !reached.has(found)) {
        reached.add(found);
        visit(found);
      }
    }
  };
  visit("");
  return reached;
}

function run(command: string, args: string[], cwd = dir): string {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The Dockerfile's `npm prune …` command, as its build stage runs it. */
function dockerfilePrune(): string[] {
  const line = readFileSync(path.join(ROOT, "Dockerfile"), "utf8")
    .split("\n")
    .find((text) => /^RUN npm prune /.test(text));
  if (!line) throw new Error("the Dockerfile has no `RUN npm prune` line");
  return line
    .replace(/^RUN npm /, "")
    .replace(/\\$/, "")
    .replace(/&&.*$/, "")
    .trim()
    .split(/\s+/);
}

let installedBefore = new Set<string>();
let packages: LockPackages = {};
const children: ChildProcess[] = [];
let credentials: TestCredentials | undefined;
let databaseUrl = "";

beforeAll(async () => {
  await ensureServersRunning();
  // the tracked files, as a fresh clone's `COPY . .` has them (no node_modules, no build)
  const files = run("git", ["ls-files", "-z"], ROOT).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(path.join(ROOT, file))) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(dir, file));
  }
  run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"]);
  packages = (
    JSON.parse(readFileSync(path.join(dir, "package-lock.json"), "utf8")) as { packages: LockPackages }
  ).packages;
  installedBefore = new Set(Object.keys(packages).filter((key) => key && existsSync(path.join(dir, key))));
  run("npm", dockerfilePrune());
  // the build the image copies (next build ran in the repository before this suite)
  cpSync(path.join(ROOT, ".next"), path.join(dir, ".next"), {
    recursive: true,
    filter: (source) => !source.startsWith(path.join(ROOT, ".next", "cache")),
  });
  databaseUrl = await createDatabase(database);
  credentials = await provisionCredentials(databaseUrl, `image-${tag}`);
}, 300_000);

/** npm and what it started (web/start.ts's processes): the whole process group. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

afterAll(async () => {
  await Promise.all(children.map(stopGroup));
  await dropDatabase(database);
  rmSync(dir, { recursive: true, force: true });
});

describe("the image's dependencies (Dockerfile's npm prune)", () => {
  it("keep everything production code can load, and no development tool", () => {
    const reachable = reachableFromProduction(packages);
    const missing = [...reachable].filter(
      (key) => installedBefore.has(key) && !existsSync(path.join(dir, key)),
    );
    expect(missing).toEqual([]);
    const root = packages[""] ?? {};
    const devOnly = Object.keys(root.devDependencies ?? {}).filter(
      (name) => !reachable.has(`node_modules/${name}`),
    );
    // the case that kept vitest in the image: an optional peer of better-auth, which the
    // lockfile marks devOptional, and `npm prune --omit=dev` alone keeps
    expect(devOnly).toEqual(expect.arrayContaining(["vitest", "@playwright/test", "drizzle-kit", "eslint"]));
    const left = devOnly.filter((name) => existsSync(path.join(dir, "node_modules", name)));
    expect(left).toEqual([]);
  });

  it("run the web app and a processor: an event is acknowledged and stored", async () => {
    if (!credentials) throw new Error("no credentials");
    const port = await freePort();
    const env = {
      ...process.env,
      ...testEnv(`image-${tag}`, port),
      WEB_PROCESSES: "1",
      DATABASE_URL: databaseUrl,
      KAFKA_TOPIC_PREFIX: `image-${tag}.`,
      PROCESSOR_GROUP_ID: `image-${tag}`,
      REDIS_KEY_PREFIX: `image-${tag}:`,
    };
    mkdirSync(path.join(ROOT, ".local", "test-logs"), { recursive: true });
    const log = openSync(path.join(ROOT, ".local", "test-logs", `image-${tag}.log`), "a");
    // the image's commands: `npm run start` and `npm run worker -- processor`
    for (const script of [
      ["run", "start", "--", "-p", String(port), "-H", "127.0.0.1"],
      ["run", "worker", "--", "processor"],
    ])
      children.push(spawn("npm", script, { cwd: dir, env, stdio: ["ignore", log, log], detached: true }));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${baseUrl}/api/health`).catch(() => undefined))?.status === 200, {
      timeoutMs: 90_000,
      what: "the pruned tree's web app healthy",
    });
    const eventId = `image-${tag}`;
    const response = await fetch(`${baseUrl}/api/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${credentials.ingestKey}` },
      body: JSON.stringify({ event_type: "click", event_id: eventId, user_id: "u" }),
    });
    expect(response.status).toBe(202);
    const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => undefined });
    try {
      await waitFor(
        async () => (await sql`select 1 from raw_events where event_id = ${eventId}`).length === 1,
        { timeoutMs: 90_000, what: "the event stored by the pruned tree's processor" },
      );
    } finally {
      await sql.end();
    }
  });
});

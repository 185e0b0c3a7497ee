import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const run = promisify(execFile);

export async function sh(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<string> {
  const { stdout } = await run(command, args, {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 16 << 20,
  });
  return stdout;
}

// What `next build` of the web app compiles; the baseline app is its own folder.
const APP_SOURCES = [
  "app",
  "components",
  "lib",
  "db",
  "instrumentation.ts",
  "next.config.ts",
  "tsconfig.json",
];

function newestSource(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const source of dir === ROOT ? APP_SOURCES.map((name) => path.join(ROOT, name)) : [dir]) {
    if (!existsSync(source)) continue;
    const files = statSync(source).isDirectory()
      ? readdirSync(source, { recursive: true, encoding: "utf8" })
          .filter((name) => !/(^|\/)(\.next|node_modules)(\/|$)/.test(name))
          .map((name) => path.join(source, name))
      : [source];
    for (const file of files) {
      const { mtimeMs } = statSync(file);
      if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
    }
  }
  return newest;
}

/**
 * Builds the project's web app (or another Next.js directory) when it has no build or a
 * source changed after its build: a benchmark must measure the code in the tree.
 */
export async function ensureNextBuild(dir = ROOT): Promise<void> {
  const name = path.relative(ROOT, dir) || "the web app";
  const buildId = path.join(dir, ".next", "BUILD_ID");
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : undefined;
  const newest = newestSource(dir);
  if (builtAt !== undefined && (!newest || newest.mtimeMs <= builtAt)) return;
  console.log(
    builtAt === undefined || !newest
      ? `building ${name} ...`
      : `rebuilding ${name}: ${path.relative(ROOT, newest.file)} changed after its build ...`,
  );
  await sh(process.execPath, [NEXT_BIN, "build", dir]);
}

/**
 * `BENCH_PROFILE_WEB=1` / `BENCH_PROFILE_WORKERS=1`: the web processes / the workers write a
 * CPU profile to .local/prof/web / .local/prof/workers when they stop.
 */
function profileArgs(variable: string, dir: string): string[] {
  return process.env[variable] ? ["--cpu-prof", `--cpu-prof-dir=${path.join(ROOT, ".local/prof", dir)}`] : [];
}

/**
 * Starts the Next.js app in `dir` as `npm start` does (web/start.ts): `processes` `next
 * start` processes sharing `port`.
 */
export async function startNext(
  dir: string,
  port: number,
  env: Record<string, string>,
  processes = 1,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      // web/start.ts hands --cpu-prof flags on to the web processes
      ...profileArgs("BENCH_PROFILE_WEB", "web"),
      "--import",
      "tsx",
      path.join(ROOT, "web/start.ts"),
      dir,
      "-p",
      String(port),
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        ...env,
        WEB_PROCESSES: String(processes),
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  await waitForHttp(`http://127.0.0.1:${port}/`, 60_000);
  return child;
}

export function startWorker(
  role: string,
  env: Record<string, string>,
  extraNodeArgs: string[] = [],
): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...profileArgs("BENCH_PROFILE_WORKERS", "workers"),
      ...extraNodeArgs,
      "--conditions=react-server",
      "--import",
      "tsx",
      "workers/main.ts",
      role,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] },
  );
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(url).catch(() => undefined);
    if (response) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

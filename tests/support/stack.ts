/**
 * Starts the built web app and a processor against the test database, for the
 * integration and browser suites. Each run gets its own topic and Redis key prefix.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { waitFor } from "./wait-for";

export interface TestStack {
  baseUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The bearer token the test stacks' web port asks for on /metrics. */
export const TEST_METRICS_TOKEN = "test-metrics-token-0123456789";

export function testEnv(runId: string, port: number): Record<string, string> {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    PORT: String(port),
    // two processes behind the port, as a multi-core deployment runs (web/start.ts)
    WEB_PROCESSES: "2",
    DATABASE_URL: "postgres://postgres@127.0.0.1:5432/analytics_test",
    REDIS_KEY_PREFIX: `test-${runId}:`,
    KAFKA_TOPIC_PREFIX: `test-${runId}.`,
    PROCESSOR_GROUP_ID: `analytics-processor-test-${runId}`,
    METRICS_PORT: "0",
    ALLOW_PRIVATE_WEBHOOKS: "true",
    PRODUCE_TIMEOUT_MS: "5000",
    // production refuses to start without its secrets; test values, not the public development ones
    AUTH_SECRET: `test-auth-secret-${runId}-0123456789abcdef0123456789`,
    SECRETS_KEY: Buffer.alloc(32, runId.charCodeAt(0)).toString("base64"),
    // the web port's /metrics answers only with it (tests send it as a bearer token)
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    // per process, and every test connects from 127.0.0.1 (live-limits.int.test.ts reads it)
    LIVE_MAX_CONNECTIONS_PER_CLIENT: "10",
    // every test drives load from 127.0.0.1 with a handful of keys: limits far above it (the
    // rate-limit test starts its own web app with low ones)
    RATE_LIMIT_PER_IP: "100000",
    RATE_LIMIT_INGEST_PER_KEY: "100000",
  };
}

export function spawnLogged(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): ChildProcess {
  const logFile = path.join(ROOT, ".local", "test-logs", `${name}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const out = openSync(logFile, "a");
  return spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", out, out] });
}

export function spawnProcessor(name: string, env: Record<string, string>): ChildProcess {
  return spawnLogged(
    name,
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "workers/main.ts", "processor"],
    env,
  );
}

/** SIGTERM, then SIGKILL after 15 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function startTestStack(runId: string, port: number): Promise<TestStack> {
  await mkdir(path.join(ROOT, ".local", "test-logs"), { recursive: true });
  const env = testEnv(runId, port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const web = spawnLogged(
    `web-${runId}`,
    process.execPath,
    ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"],
    env,
  );
  const processor = spawnProcessor(`processor-${runId}`, env);
  const children = [web, processor];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    await waitFor(
      async () => {
        for (const child of children) {
          if (child.exitCode !== null)
            throw new Error(`a test process exited early (${child.exitCode}); see .local/test-logs`);
        }
        const response = await fetch(`${baseUrl}/api/health`).catch(() => undefined);
        return response?.ok === true;
      },
      { timeoutMs: 90_000, what: "the test web app to answer /api/health" },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, env, stop };
}

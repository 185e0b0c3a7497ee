/**
 * A whole stack of its own for a fault test: the web app (two processes behind one port),
 * a processor, the anomaly worker and the alerts worker, on topics, a consumer group and
 * Redis keys of their own. A test kills a role (SIGKILL) and starts it again itself.
 */
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { spawnLogged, stopChild, testEnv } from "./stack";
import { waitFor } from "./wait-for";

export type Role = "web" | "processor" | "anomaly" | "alerts";
const ROOT = path.resolve(import.meta.dirname, "../..");

export interface FaultStack {
  tag: string;
  baseUrl: string;
  env: Record<string, string>;
  /** The live child of a role (the web role's is the launcher of its processes). */
  process(role: Role): ChildProcess;
  /** Starts a role again (after a kill); resolves once it is running. */
  restart(role: Role): Promise<void>;
  /** SIGKILL of a role's process; resolves once it is gone. */
  kill(role: Role): Promise<void>;
  /** The text of a role's log (every incarnation's). */
  log(role: Role): Promise<string>;
  stop(): Promise<void>;
}

function argsOf(role: Role, port: number): string[] {
  return role === "web"
    ? ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"]
    : ["--conditions=react-server", "--import", "tsx", "workers/main.ts", role];
}

/** A port nothing listens on now (the OS's choice), so a stack never answers for another. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function startFaultStack(
  tag: string,
  extraEnv: Record<string, string> = {},
): Promise<FaultStack> {
  const port = await freePort();
  const env = {
    ...testEnv(tag, port),
    KAFKA_TOPIC_PREFIX: `fault-${tag}.`,
    PROCESSOR_GROUP_ID: `fault-processor-${tag}`,
    ANOMALY_GROUP_ID: `fault-anomaly-${tag}`,
    REDIS_KEY_PREFIX: `fault-${tag}:`,
    PROCESSOR_SESSION_TIMEOUT_MS: "6000",
    ...extraEnv,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const children = new Map<Role, ChildProcess>();
  const logName = (role: Role) => `fault-${tag}-${role}`;
  const spawnRole = (role: Role) => {
    children.set(role, spawnLogged(logName(role), process.execPath, argsOf(role, port), env));
  };
  const current = (role: Role): ChildProcess => {
    const child = children.get(role);
    if (!child) throw new Error(`role ${role} never started`);
    return child;
  };
  const roles: Role[] = ["web", "processor", "anomaly", "alerts"];
  roles.forEach(spawnRole);

  const stack: FaultStack = {
    tag,
    baseUrl,
    env,
    process: current,
    async restart(role) {
      spawnRole(role);
      if (role === "web") await waitForWeb();
    },
    async kill(role) {
      const child = current(role);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    log: (role) => readFile(path.join(ROOT, ".local", "test-logs", `${logName(role)}.log`), "utf8"),
    async stop() {
      await Promise.all([...children.values()].map(stopChild));
    },
  };
  const waitForWeb = () =>
    waitFor(
      async () => {
        for (const [role, child] of children) {
          if (child.exitCode !== null)
            throw new Error(`${role} exited early (${child.exitCode}); see .local/test-logs`);
        }
        const response = await fetch(`${baseUrl}/api/health`).catch(() => undefined);
        return response?.ok === true;
      },
      { timeoutMs: 90_000, what: "the fault stack's web app to answer /api/health" },
    );
  try {
    await waitForWeb();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/**
 * Stops and starts the real servers the stack depends on, for fault tests: PostgreSQL with
 * pg_ctlcluster, Redis with SHUTDOWN and redis-server (as scripts/stack/ensure-services.sh
 * starts it), the Kafka broker with the project's script, or a pause of the broker's JVM
 * (SIGSTOP: it holds every connection open and answers nothing). `ensureServersRunning`
 * leaves the machine as the tests found it.
 */
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { waitFor } from "./wait-for";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

async function postgresVersion(): Promise<string> {
  const versions = await readdir("/etc/postgresql");
  const latest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!latest) throw new Error("no PostgreSQL cluster under /etc/postgresql");
  return latest;
}

async function postgresAnswers(): Promise<boolean> {
  try {
    await run("pg_isready", ["-q", "-h", "127.0.0.1", "-p", "5432"]);
    return true;
  } catch {
    return false;
  }
}

export async function stopPostgres(): Promise<void> {
  await run("pg_ctlcluster", [
    "--skip-systemctl-redirect",
    await postgresVersion(),
    "main",
    "stop",
    "-m",
    "fast",
  ]);
}

export async function startPostgres(): Promise<void> {
  if (!(await postgresAnswers())) {
    await run("pg_ctlcluster", ["--skip-systemctl-redirect", await postgresVersion(), "main", "start"]).catch(
      (error: unknown) => {
        // "already running" while it is still coming up is fine; pg_isready decides below
        if (!String(error).includes("already running")) throw error;
      },
    );
  }
  await waitFor(postgresAnswers, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: "PostgreSQL to accept connections",
  });
}

async function redisAnswers(): Promise<boolean> {
  try {
    const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", "6379", "ping"]);
    return stdout.trim() === "PONG";
  } catch {
    return false;
  }
}

export async function stopRedis(): Promise<void> {
  // NOSAVE: this Redis keeps nothing on disk (a cache); the server exits at once
  await run("redis-cli", ["-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"]).catch(() => undefined);
  await waitFor(async () => !(await redisAnswers()), { timeoutMs: 10_000, what: "Redis to stop" });
}

export async function startRedis(): Promise<void> {
  if (!(await redisAnswers())) {
    await run("redis-server", [
      "--daemonize",
      "yes",
      "--bind",
      "127.0.0.1",
      "-::1",
      "--port",
      "6379",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      "/var/lib/redis",
      "--logfile",
      "/var/log/redis/ci.log",
    ]);
  }
  await waitFor(redisAnswers, { timeoutMs: 20_000, intervalMs: 100, what: "Redis to answer" });
}

const kafkaScript = (command: string) =>
  run("bash", [path.join(ROOT, "scripts/kafka/kafka.sh"), command], { cwd: ROOT });

export async function stopKafka(): Promise<void> {
  await kafkaScript("stop");
}

export async function startKafka(): Promise<void> {
  await resumeKafka();
  await kafkaScript("start");
}

async function brokerPid(): Promise<number> {
  const text = await readFile(path.join(ROOT, ".local/kafka/kafka.pid"), "utf8");
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error(`no broker pid in .local/kafka/kafka.pid (${text})`);
  return pid;
}

/** Freezes the broker's JVM: connections stay open, nothing is answered. */
export async function pauseKafka(): Promise<void> {
  process.kill(await brokerPid(), "SIGSTOP");
}

export async function resumeKafka(): Promise<void> {
  try {
    process.kill(await brokerPid(), "SIGCONT");
  } catch {
    // not running (or no pid file): nothing paused
  }
}

/** Every server up again, whatever a failed test left behind. */
export async function ensureServersRunning(): Promise<void> {
  await startPostgres();
  await startRedis();
  await startKafka();
}

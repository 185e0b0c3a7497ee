/**
 * `npm start [-- -p 3000]`: the web app as WEB_PROCESSES `next start` processes sharing one
 * port through node:cluster. The ingest route is CPU-bound and one Node process uses one
 * core; with several, one machine's cores all take requests. Each process is a complete
 * web app (its own Kafka producer pool and live-stream subscription).
 *
 * This primary process only supervises: it restarts a process that dies, answers the
 * processes' requests for the cluster's Prometheus metrics (`/metrics` on any of them
 * shows the sum), and on SIGTERM/SIGINT stops them all, each finishing its requests.
 */
import cluster, { type Worker } from "node:cluster";
import { createRequire } from "node:module";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { serveClusterMetrics } from "@/lib/metrics-cluster";

/** A process that dies this soon after it started is failing to start, not crashing. */
const STARTUP_FAILURE_MS = 15_000;
const STOP_TIMEOUT_MS = 30_000;

const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const env = getEnv();
process.title = "analytics-web";

cluster.setupPrimary({
  exec: nextBin,
  args: ["start", ...process.argv.slice(2)],
  // not this launcher's own flags (its TypeScript loader): Next.js runs compiled code. A
  // CPU profile asked of the launcher (`node --cpu-prof ... web/start.ts`) is taken of each process.
  execArgv: ["--max-semi-space-size=64", ...process.execArgv.filter((arg) => arg.startsWith("--cpu-prof"))],
});
serveClusterMetrics();

let stopping = false;
const startedAt = new Map<Worker, number>();

function fork(): void {
  const worker = cluster.fork();
  startedAt.set(worker, Date.now());
}

cluster.on("exit", (worker, code, signal) => {
  const lived = Date.now() - (startedAt.get(worker) ?? 0);
  startedAt.delete(worker);
  if (stopping) {
    if (startedAt.size === 0) process.exit();
    return;
  }
  logger.error({ worker_pid: worker.process.pid, code, signal, lived_ms: lived }, "web_process_exited");
  if (lived < STARTUP_FAILURE_MS) {
    // a build missing, a port taken: restarting would fail the same way
    logger.fatal("web_process_failed_to_start_stopping");
    stop(1);
    return;
  }
  fork();
});

function stop(exitCode = 0): void {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  setTimeout(() => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
    process.exit(exitCode || 1);
  }, STOP_TIMEOUT_MS).unref();
  if (startedAt.size === 0) process.exit(exitCode);
}

process.on("SIGTERM", () => stop());
process.on("SIGINT", () => stop());

logger.info({ processes: env.WEB_PROCESSES }, "web_starting");
for (let i = 0; i < env.WEB_PROCESSES; i++) fork();

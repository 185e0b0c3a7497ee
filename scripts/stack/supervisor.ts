/**
 * Runs a set of processes: restarts one that exits (with the restart policy's backoff),
 * gives up and stops them all when one keeps failing right after start, and on `stop()`
 * stops every process with SIGTERM, then SIGKILL after a timeout.
 *
 * Each process runs in a process group of its own (its output in `<logDir>/<name>.log`), so a
 * signal reaches what it started too (the web app's `next start` processes) and a Ctrl-C
 * in the terminal reaches only the supervisor, which stops the processes in order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { logger } from "@/lib/logger";
import { decideRestart, freshHistory, type RestartHistory, type RestartPolicy } from "./restart-policy";

export interface ProcessSpec {
  /** Unique; names the log file and every log line about the process. */
  name: string;
  command: string;
  args: string[];
}

export interface SupervisorOptions {
  processes: ProcessSpec[];
  logDir: string;
  policy: RestartPolicy;
  /** How long stopping processes get after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
  cwd?: string;
}

export interface Supervisor {
  /** Stops every process; resolves with the supervisor's exit code (1 after giving up). */
  stop(reason: string): Promise<number>;
  /** Resolves with the exit code once the supervisor stopped, by `stop()` or by giving up. */
  readonly done: Promise<number>;
}

interface Supervised {
  spec: ProcessSpec;
  logFd: number;
  history: RestartHistory;
  child?: ChildProcess;
  startedAt: number;
  restartTimer?: NodeJS.Timeout;
}

// emptied at start; O_APPEND because a process and what it starts (the web app's `next start`
// processes) write at once, and restarts add to the same file
const LOG_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;

/** Signals the process group `pid` leads; false when the group is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

export function startSupervisor(options: SupervisorOptions): Supervisor {
  mkdirSync(options.logDir, { recursive: true });
  const names = new Set(options.processes.map((spec) => spec.name));
  if (names.size !== options.processes.length) throw new Error("process names must be unique");

  const processes: Supervised[] = options.processes.map((spec) => ({
    spec,
    logFd: openSync(path.join(options.logDir, `${spec.name}.log`), LOG_FLAGS),
    history: freshHistory,
    startedAt: 0,
  }));
  let stopping: Promise<number> | undefined;
  let exitCode = 0;
  let allExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (allExited = resolve));
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const groups = new Set<number>();
  const running = () => processes.filter((entry) => entry.child?.pid !== undefined);

  // Last resort if the supervisor itself dies of an error: no process group outlives it.
  const killGroupsOnExit = () => {
    for (const pid of groups) signalGroup(pid, "SIGKILL");
  };
  process.on("exit", killGroupsOnExit);

  const launch = (entry: Supervised) => {
    entry.restartTimer = undefined;
    const child = spawn(entry.spec.command, entry.spec.args, {
      cwd: options.cwd,
      detached: true,
      stdio: ["ignore", entry.logFd, entry.logFd],
    });
    entry.child = child;
    entry.startedAt = Date.now();
    let exited = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      handleExit(entry, child, code, signal);
    };
    child.once("exit", onExit);
    child.on("error", (error) => {
      logger.error({ err: error, process: entry.spec.name }, "process_error");
      // a process that could not be spawned (command not found) emits no exit of its own
      if (child.pid === undefined) onExit(null, null);
    });
    if (child.pid !== undefined) groups.add(child.pid);
    logger.info({ process: entry.spec.name, child_pid: child.pid }, "process_started");
  };

  const handleExit = (
    entry: Supervised,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ) => {
    entry.child = undefined;
    const livedMs = Date.now() - entry.startedAt;
    const context = { process: entry.spec.name, child_pid: child.pid, code, signal, lived_ms: livedMs };
    if (child.pid !== undefined) {
      // TRICKY: what the process started may outlive it (it was killed hard) and hold what its
      // replacement needs, such as the web app's port: the rest of its group goes too.
      signalGroup(child.pid, stopping ? "SIGKILL" : "SIGTERM");
      groups.delete(child.pid);
    }
    if (stopping) {
      logger.info(context, "process_stopped");
      if (processes.every((other) => !other.child)) allExited();
      return;
    }
    const decision = decideRestart(entry.history, livedMs, options.policy);
    entry.history = decision.history;
    if (decision.action === "give_up") {
      logger.fatal({ ...context, reason: decision.reason }, "process_keeps_failing_giving_up");
      exitCode = 1;
      void stop(`${entry.spec.name} ${decision.reason}`);
      return;
    }
    logger.warn({ ...context, restart_in_ms: decision.delayMs }, "process_exited_restarting");
    entry.restartTimer = setTimeout(() => launch(entry), decision.delayMs);
  };

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      logger.info({ reason }, "supervisor_stopping");
      for (const entry of processes) clearTimeout(entry.restartTimer);
      const signalAll = (signal: NodeJS.Signals) => {
        for (const { child } of running()) if (child?.pid !== undefined) signalGroup(child.pid, signal);
      };
      if (processes.every((entry) => !entry.child)) allExited();
      signalAll("SIGTERM");
      const killTimer = setTimeout(() => {
        const stubborn = running().map((entry) => entry.spec.name);
        logger.warn(
          { processes: stubborn, timeout_ms: options.stopTimeoutMs },
          "processes_stop_timeout_killing",
        );
        signalAll("SIGKILL");
      }, options.stopTimeoutMs);
      await exited;
      clearTimeout(killTimer);
      for (const entry of processes) closeSync(entry.logFd);
      process.off("exit", killGroupsOnExit);
      logger.info({ exit_code: exitCode }, "supervisor_stopped");
      resolveDone(exitCode);
      return exitCode;
    })();
    return stopping;
  };

  for (const entry of processes) launch(entry);
  return { stop, done };
}

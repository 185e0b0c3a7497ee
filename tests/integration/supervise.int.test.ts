/**
 * The stack supervisor (scripts/stack/supervise.ts) driven with small `node -e` children:
 * it replaces a killed child, gives up on one that keeps failing at start, and leaves no
 * process behind when it stops.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for";

const ROOT = path.resolve(import.meta.dirname, "../..");
const node = process.execPath;
const forever = "setInterval(() => {}, 1000);";

interface LogLine {
  msg: string;
  process?: string;
  child_pid?: number;
  signal?: string | null;
  code?: number | null;
  restart_in_ms?: number;
  reason?: string;
}

interface RunningSupervisor {
  child: ChildProcess;
  lines: LogLine[];
  logDir: string;
  /** The pids of the named process, in the order the supervisor started them. */
  pids(name: string): number[];
  exited(): Promise<number | null>;
}

const started: RunningSupervisor[] = [];

afterEach(() => {
  for (const supervisor of started.splice(0)) {
    if (supervisor.child.exitCode === null) supervisor.child.kill("SIGKILL");
    rmSync(supervisor.logDir, { recursive: true, force: true });
  }
});

function startSupervisor(
  processes: { name: string; script: string }[],
  flags: string[] = [],
): RunningSupervisor {
  const logDir = mkdtempSync(path.join(tmpdir(), "supervise-"));
  const spec = processes.map(({ name, script }) => ({ name, command: node, args: ["-e", script] }));
  const child = spawn(
    node,
    [
      "--import",
      "tsx",
      "scripts/stack/supervise.ts",
      "--log-dir",
      logDir,
      "--processes",
      JSON.stringify(spec),
      ...flags,
    ],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  if (!child.stdout) throw new Error("the supervisor's stdout is not piped");
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // not a log line
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const supervisor: RunningSupervisor = {
    child,
    lines,
    logDir,
    pids: (name) =>
      lines.flatMap((line) =>
        line.msg === "process_started" && line.process === name && line.child_pid !== undefined
          ? [line.child_pid]
          : [],
      ),
    exited: () => exit,
  };
  started.push(supervisor);
  return supervisor;
}

/** Alive and not a zombie (an orphan's parent may never reap it). */
function isRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync("/proc/self/stat")) {
    try {
      return readFileSync(stat, "utf8").split(") ")[1]?.startsWith("Z") === false;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForPids(supervisor: RunningSupervisor, name: string, count: number): Promise<number[]> {
  await waitFor(() => supervisor.pids(name).length >= count, {
    timeoutMs: 20_000,
    what: `${count} starts of ${name}`,
  });
  return supervisor.pids(name);
}

describe("the stack supervisor", () => {
  it("restarts a process that was killed, with its backoff, and leaves the others alone", async () => {
    const supervisor = startSupervisor([
      { name: "steady", script: forever },
      { name: "victim", script: forever },
    ]);
    const [steady] = await waitForPids(supervisor, "steady", 1);
    const [first] = await waitForPids(supervisor, "victim", 1);
    if (first === undefined || steady === undefined) throw new Error("no pids");

    process.kill(first, "SIGKILL");
    const [, second] = await waitForPids(supervisor, "victim", 2);
    if (second === undefined) throw new Error("no replacement pid");

    expect(second).not.toBe(first);
    expect(isRunning(second)).toBe(true);
    expect(isRunning(steady)).toBe(true);
    expect(supervisor.lines).toContainEqual(
      expect.objectContaining({
        msg: "process_exited_restarting",
        process: "victim",
        signal: "SIGKILL",
        restart_in_ms: 1000,
      }),
    );
    supervisor.child.kill("SIGTERM");
    expect(await supervisor.exited()).toBe(0);
  });

  it("exits non-zero naming a process that keeps failing right after start, and stops the rest", async () => {
    const supervisor = startSupervisor(
      [
        { name: "steady", script: forever },
        { name: "crasher", script: "process.exit(7)" },
      ],
      ["--initial-delay-ms", "50", "--max-quick-exits", "3"],
    );
    const [steady] = await waitForPids(supervisor, "steady", 1);
    if (steady === undefined) throw new Error("no pid");

    expect(await supervisor.exited()).toBe(1);
    expect(supervisor.pids("crasher")).toHaveLength(3);
    expect(supervisor.lines).toContainEqual(
      expect.objectContaining({
        msg: "process_keeps_failing_giving_up",
        process: "crasher",
        code: 7,
        reason: expect.stringContaining("3 times in a row") as unknown,
      }),
    );
    expect(isRunning(steady)).toBe(false);
  });

  it("on SIGTERM stops every process, what they started, and one that ignores SIGTERM", async () => {
    const grandchild =
      'const c = require("node:child_process").spawn("sleep", ["300"], { stdio: "ignore" });' +
      `console.log("grandchild " + c.pid); ${forever}`;
    const supervisor = startSupervisor(
      [
        { name: "steady", script: forever },
        { name: "stubborn", script: `process.on("SIGTERM", () => {}); ${forever}` },
        { name: "parent", script: grandchild },
      ],
      ["--stop-timeout-ms", "1500"],
    );
    const pids = await Promise.all(
      ["steady", "stubborn", "parent"].map((name) => waitForPids(supervisor, name, 1)),
    );
    let grandchildPid = 0;
    await waitFor(
      () => {
        const log = readFileSync(path.join(supervisor.logDir, "parent.log"), "utf8");
        grandchildPid = Number(/grandchild (\d+)/.exec(log)?.[1] ?? 0);
        return grandchildPid > 0;
      },
      { timeoutMs: 10_000, what: "the grandchild's pid in parent.log" },
    );
    const everyPid = [...pids.flat(), grandchildPid];
    expect(everyPid.every(isRunning)).toBe(true);

    supervisor.child.kill("SIGTERM");
    expect(await supervisor.exited()).toBe(0);
    expect(everyPid.filter(isRunning)).toEqual([]);
    expect(supervisor.lines).toContainEqual(
      expect.objectContaining({ msg: "processes_stop_timeout_killing", processes: ["stubborn"] }),
    );
  });
});

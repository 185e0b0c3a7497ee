/**
 * CPU time a set of processes used, read from /proc (Linux): on a 2-core machine where the load
 * generator, the broker and the servers share the cores, CPU time per request is a steadier
 * measure of a change's cost than throughput, which moves with whatever else is running.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux everywhere). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system time, seconds */
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone since the directory was listed
  }
  // the command name (field 2) may hold spaces and parentheses: fields resume after the last ")"
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15
  return {
    pid,
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
  };
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** `root` and every process descended from it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Processes whose command line contains `needle` (e.g. the Kafka broker's main class). */
export function processesMatching(needle: string): number[] {
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(needle);
    } catch {
      return false;
    }
  });
}

/** CPU seconds (user + system) the processes have used so far; gone processes count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuSeconds ?? 0), 0);
}

/** What a Node.js process's threads do: JavaScript, V8's GC and compiler helpers, libuv's pool. */
export type ThreadKind = "javascript" | "v8 helpers" | "libuv pool" | "other";

export function threadKind(pid: number, tid: number, name: string): ThreadKind {
  if (tid === pid) return "javascript";
  if (/^V8 ?Worker|^V8 DefaultWorke|^v8:/i.test(name)) return "v8 helpers";
  if (name.startsWith("libuv-worker")) return "libuv pool";
  return "other";
}

/**
 * CPU seconds the processes' threads have used so far, by kind: where a difference in CPU per
 * request is spent (the JavaScript thread, or V8's garbage-collection and compiler threads).
 */
export function cpuSecondsByThreadKind(pids: readonly number[]): Map<ThreadKind, number> {
  const byKind = new Map<ThreadKind, number>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tids) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      } catch {
        continue;
      }
      const name = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const kind = threadKind(pid, Number(tid), name);
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      byKind.set(kind, (byKind.get(kind) ?? 0) + seconds);
    }
  }
  return byKind;
}

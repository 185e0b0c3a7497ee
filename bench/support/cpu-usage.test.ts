import { isMainThread, Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { cpuSecondsByThreadKind, threadKind, type ThreadKind } from "./cpu-usage";

describe("threadKind", () => {
  it("names a Node.js process's threads by what they do", () => {
    expect(threadKind(100, 100, "next-server (v16.4.6)")).toBe("javascript");
    expect(threadKind(100, 101, "V8Worker")).toBe("v8 helpers");
    expect(threadKind(100, 102, "v8:ProfEvntProc")).toBe("v8 helpers");
    expect(threadKind(100, 103, "libuv-worker")).toBe("libuv pool");
    expect(threadKind(100, 104, "node")).toBe("other"); // a worker_threads thread
  });
});

/** Busy until this thread has used `ms` of CPU (not of wall time: the cores are shared). */
function spinCpu(ms: number): void {
  const start = process.threadCpuUsage();
  for (;;) {
    const now = process.threadCpuUsage();
    if ((now.user + now.system - start.user - start.system) / 1000 >= ms) return;
  }
}

describe("cpuSecondsByThreadKind", () => {
  it("puts each thread's CPU under its kind: the process's JavaScript thread, and a worker thread's under other", async () => {
    const read = () => cpuSecondsByThreadKind([process.pid]);
    const grew = (before: Map<ThreadKind, number>, after: Map<ThreadKind, number>, kind: ThreadKind) =>
      (after.get(kind) ?? 0) - (before.get(kind) ?? 0);
    // vitest runs this file in a child process's main thread (its default pool, forks)
    expect(isMainThread).toBe(true);
    const before = read();
    spinCpu(300);
    const afterSpin = read();
    expect(grew(before, afterSpin, "javascript")).toBeGreaterThanOrEqual(0.25);

    // a worker thread spins 300 ms of its own CPU, then idles until terminated (its time is
    // read while it is still there)
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads"); (${spinCpu.toString()})(300);
       parentPort.postMessage("spun"); setInterval(() => undefined, 1000);`,
      { eval: true },
    );
    await new Promise((resolve) => worker.once("message", resolve));
    const afterWorker = read();
    await worker.terminate();
    expect(grew(afterSpin, afterWorker, "other")).toBeGreaterThanOrEqual(0.25);
  });
});

import { describe, expect, it } from "vitest";
import { BatchTimeoutError, MicroBatcher, type OutgoingMessage } from "./batcher";

function message(n: number): OutgoingMessage {
  return { topic: "t", key: String(n), value: String(n), headers: {} };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("MicroBatcher", () => {
  it("sends concurrent requests together and resolves each after the send", async () => {
    const sends: OutgoingMessage[][] = [];
    const batcher = new MicroBatcher(
      async (messages) => {
        sends.push(messages);
      },
      { lingerMs: 5, maxMessages: 100 },
    );
    await Promise.all([batcher.enqueue([message(1)]), batcher.enqueue([message(2), message(3)])]);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.map((m) => m.key)).toEqual(["1", "2", "3"]);
  });

  it("rejects every request of a failed send and keeps working afterwards", async () => {
    let fail = true;
    const batcher = new MicroBatcher(
      async () => {
        if (fail) throw new Error("broker down");
      },
      { lingerMs: 1, maxMessages: 100 },
    );
    const results = await Promise.allSettled([batcher.enqueue([message(1)]), batcher.enqueue([message(2)])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await expect(batcher.enqueue([message(3)])).resolves.toBeUndefined();
  });

  it("keeps one send in flight and sends what queued meanwhile as the next batch", async () => {
    const gates = [deferred(), deferred()];
    const sends: string[][] = [];
    const batcher = new MicroBatcher(
      async (messages) => {
        const gate = gates[sends.length];
        sends.push(messages.map((m) => m.key));
        await gate?.promise;
      },
      { lingerMs: 0, maxMessages: 100 },
    );
    const first = batcher.enqueue([message(1)]);
    const second = batcher.enqueue([message(2)]);
    const third = batcher.enqueue([message(3)]);
    expect(sends).toEqual([["1"]]);
    gates[0]?.resolve();
    await first;
    await expect.poll(() => sends.length).toBe(2);
    expect(sends[1]).toEqual(["2", "3"]);
    gates[1]?.resolve();
    await Promise.all([second, third]);
  });

  it("never splits a request and caps batches at maxMessages", async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher(
      async (messages) => {
        sizes.push(messages.length);
      },
      { lingerMs: 1, maxMessages: 3 },
    );
    await Promise.all([
      batcher.enqueue([message(1), message(2)]),
      batcher.enqueue([message(3), message(4)]),
      batcher.enqueue([message(5), message(6), message(7), message(8)]),
    ]);
    expect(sizes).toEqual([2, 2, 4]);
  });
});

describe("MicroBatcher with several sends in flight", () => {
  it("runs up to maxInFlight sends at once and no more", async () => {
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const batcher = new MicroBatcher(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      },
      { lingerMs: 0, maxMessages: 1, maxInFlight: 3 },
    );
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => batcher.enqueue([message(n)])));
    await expect.poll(() => gates.length).toBe(3);
    expect(peak).toBe(3);
    while (gates.length > 0 || running > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await all;
    expect(peak).toBe(3);
  });

  it("rejects callers not acknowledged in time, sending or queued, and never sends the queued ones", async () => {
    const hung = deferred();
    const sends: OutgoingMessage[][] = [];
    const batcher = new MicroBatcher(
      async (messages) => {
        sends.push(messages);
        if (sends.length === 1) await hung.promise;
      },
      { lingerMs: 0, maxMessages: 100, maxInFlight: 1, timeoutMs: 100 },
    );
    const started = Date.now();
    const sending = batcher.enqueue([message(1)]);
    const queued = batcher.enqueue([message(2)]);
    await expect(sending).rejects.toBeInstanceOf(BatchTimeoutError);
    await expect(queued).rejects.toThrow("no acknowledgement within 100 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    hung.resolve();
    await batcher.drain();
    expect(sends.map((batch) => batch.map((m) => m.key))).toEqual([["1"]]);
    // later callers are served as before
    await batcher.enqueue([message(3)]);
    expect(sends).toHaveLength(2);
  });
});

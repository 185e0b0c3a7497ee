import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WriteLanes, type LaneProgress } from "./write-lanes";

interface FakeBatch {
  progress: LaneProgress;
  firstOffset: number;
  /** The transaction carrying this batch fails. */
  fails: boolean;
}

type Op =
  | { kind: "fetch"; partition: number; size: number; fails: boolean }
  | { kind: "complete" }
  | { kind: "replace" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("fetch" as const),
      partition: fc.integer({ min: 0, max: 5 }),
      size: fc.integer({ min: 1, max: 3 }),
      fails: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: "complete" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "replace" as const }) },
);

const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A model of the processor over the lanes: kafkajs runs one handler per partition at a time,
 * the handler enqueues and moves the fetch position once the previous batch is durable; a
 * failure latches until the consumer is replaced, which re-seeks to the stored offsets.
 * The fake store commits when the scheduler lets a transaction finish, in any order.
 */
async function runModel(s: fc.Scheduler, ops: Op[], lanes: number): Promise<void> {
  const topic = "events.test";
  const stored = new Map<number, number>(); // the fake database's offsets
  const position = new Map<number, number>(); // the consumer's fetch positions
  const busy = new Set<number>();
  const settled: boolean[] = [];
  let latchedByFailure = false;
  let failures = 0;
  // recorded, not thrown: the lanes would take an assertion thrown in `write` for a failed write
  const violations: string[] = [];

  const write = async (batches: FakeBatch[]) => {
    // a transaction must not even begin while a failure is latched
    if (latchedByFailure) violations.push("a write began after a failure, before recovery");
    await s.schedule(Promise.resolve(), `write ${batches.map((b) => b.progress.partition).join(",")}`);
    if (batches.some((batch) => batch.fails)) throw new Error("transaction failed");
    for (const batch of batches) {
      const { partition, nextOffset } = batch.progress;
      // a partition's batches are stored in offset order, none skipped, none twice
      if (batch.firstOffset !== (stored.get(partition) ?? 0)) {
        violations.push(
          `partition ${partition} stored ${batch.firstOffset} after ${stored.get(partition) ?? 0}`,
        );
      }
      stored.set(partition, nextOffset);
    }
  };
  const writeLanes = new WriteLanes<FakeBatch>({
    lanes,
    write,
    onFailure: () => {
      failures += 1;
      latchedByFailure = true;
    },
    batcher: { lingerMs: 0, maxMessages: 4, maxInFlight: 1 },
  });

  const checkDurable = () => {
    for (const { partition, offset } of writeLanes.takeDurableOffsets()) {
      // no durable offset passes a batch that was not stored
      expect(Number(offset)).toBeLessThanOrEqual(stored.get(partition) ?? 0);
    }
  };

  const handle = async (partition: number, size: number, fails: boolean) => {
    if (writeLanes.latched) return; // this consumer is being replaced
    const firstOffset = position.get(partition) ?? 0;
    const nextOffset = firstOffset + size;
    const index = settled.length;
    settled.push(false);
    const { written, previousDurable } = writeLanes.enqueue({
      progress: { topic, partition, nextOffset },
      firstOffset,
      fails,
    });
    void written.then(
      () => (settled[index] = true),
      () => (settled[index] = true),
    );
    if (await previousDurable) position.set(partition, nextOffset);
  };

  for (const op of ops) {
    if (op.kind === "fetch") {
      if (busy.has(op.partition)) continue;
      busy.add(op.partition);
      void handle(op.partition, op.size, op.fails).finally(() => busy.delete(op.partition));
    } else if (op.kind === "complete") {
      if (s.count() > 0) await s.waitOne();
    } else {
      // the replaced consumer's handlers have returned; the new one recovers, then seeks
      if (!writeLanes.latched || busy.size > 0) continue;
      let recovered = false;
      const recovery = writeLanes.recover().then(() => (recovered = true));
      while (!recovered) {
        if (s.count() > 0) await s.waitOne();
        else await settle();
      }
      await recovery;
      latchedByFailure = false;
      for (const [partition, offset] of stored) position.set(partition, offset);
      for (const partition of position.keys()) if (!stored.has(partition)) position.set(partition, 0);
    }
    await settle();
    checkDurable();
    expect(violations).toEqual([]);
  }

  // every batch enqueued settles, failed or not: nothing hangs
  let drained = false;
  void writeLanes.drain().then(() => (drained = true));
  for (let round = 0; round < 1000 && (!drained || busy.size > 0); round++) {
    if (s.count() > 0) await s.waitAll();
    await settle();
  }
  expect(drained, "drain did not finish").toBe(true);
  expect(busy.size, "a handler still waits").toBe(0);
  expect(settled.every(Boolean), "a batch never settled").toBe(true);
  checkDurable();
  expect(violations).toEqual([]);
  if (failures === 0) expect(writeLanes.latched).toBe(false);
}

describe("WriteLanes", () => {
  it.each([1, 2, 3])(
    "keeps each partition's batches in order, offsets behind the store and nothing written after a failure (%i lanes)",
    async (lanes) => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.array(opArb, { minLength: 1, maxLength: 80 }), (s, ops) =>
          runModel(s, ops, lanes),
        ),
        { numRuns: 300 },
      );
    },
  );

  it("rejects what is queued behind a failure and writes again after recover()", async () => {
    const written: number[] = [];
    let fail = true;
    let failures = 0;
    const lanes = new WriteLanes<{ progress: LaneProgress }>({
      lanes: 1,
      write: async (batches) => {
        await settle();
        if (fail) throw new Error("down");
        written.push(...batches.map((batch) => batch.progress.nextOffset));
      },
      onFailure: () => (failures += 1),
      batcher: { lingerMs: 0, maxMessages: 1, maxInFlight: 1 },
    });
    const first = lanes.enqueue({ progress: { topic: "t", partition: 0, nextOffset: 1 } });
    const second = lanes.enqueue({ progress: { topic: "t", partition: 0, nextOffset: 2 } });
    await expect(first.written).rejects.toThrow("down");
    await expect(second.written).rejects.toThrow("down");
    expect(await second.previousDurable).toBe(false);
    expect(lanes.latched).toBe(true);
    expect(failures).toBe(1);
    fail = false;
    await lanes.recover();
    expect(lanes.latched).toBe(false);
    const third = lanes.enqueue({ progress: { topic: "t", partition: 0, nextOffset: 1 } });
    expect(await third.previousDurable).toBe(true);
    await third.written;
    expect(written).toEqual([1]);
    expect(lanes.takeDurableOffsets()).toEqual([{ topic: "t", partition: 0, offset: "1" }]);
    expect(lanes.takeDurableOffsets()).toEqual([]);
  });
});

describe("WriteLanes.recover", () => {
  it("lets a batch queued while latched settle rejected before writing resumes", async () => {
    const written: number[] = [];
    let fail = true;
    const lanes = new WriteLanes<{ progress: LaneProgress }>({
      lanes: 1,
      write: async (batches) => {
        await settle();
        if (fail) throw new Error("down");
        written.push(...batches.map((batch) => batch.progress.nextOffset));
      },
      onFailure: () => undefined,
      batcher: { lingerMs: 20, maxMessages: 64, maxInFlight: 1 },
    });
    await expect(
      lanes.enqueue({ progress: { topic: "t", partition: 0, nextOffset: 1 } }).written,
    ).rejects.toThrow();
    // a handler of the replaced consumer still enqueues; it waits for the linger
    const stale = lanes.enqueue({ progress: { topic: "t", partition: 1, nextOffset: 5 } });
    fail = false;
    await lanes.recover();
    await expect(stale.written).rejects.toThrow("down");
    expect(written).toEqual([]);
  });
});

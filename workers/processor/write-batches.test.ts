import { describe, expect, it } from "vitest";
import type { PartitionProgress, PersistResult } from "@/lib/services/events/persist-batch";
import type { PendingEvent } from "./decode-batch";
import { processorEventsTotal } from "@/lib/metrics";
import { ProcessorStats } from "./processor-stats";
import {
  createBatchWriter,
  isRefusedData,
  MAX_REFUSED_PER_WRITE,
  type PartitionBatch,
} from "./write-batches";

const DAY = 86_400_000;

function pending(partition: number, offset: number, time: number, sessionId?: string): PendingEvent {
  return {
    projectId: "default",
    eventId: `e-${partition}-${offset}`,
    suppliedTime: undefined,
    stagingRow: "row",
    time,
    sessionId,
    correlationId: "c",
    partition,
    offset,
  };
}

const progress = (partition: number, nextOffset: number): PartitionProgress => ({
  groupId: "g",
  topic: "events.click",
  partition,
  nextOffset,
  maxEventTime: undefined,
});

const result: PersistResult = {
  inserted: 2,
  late: 1,
  secondCounts: [{ project_id: "default", event_type: "click", region: "eu", second: 1, count: 1 }],
  typeOverflow: 0,
  regionOverflow: 0,
};

const parts: PartitionBatch[] = [
  { events: [pending(0, 4, 2 * DAY, "s1")], progress: progress(0, 5) },
  { events: [pending(1, 9, 3 * DAY), pending(1, 10, 3 * DAY)], progress: progress(1, 11) },
];

describe("createBatchWriter", () => {
  it("creates the days' partitions, then persists every partition's batch in one call, then counts", async () => {
    const steps: string[] = [];
    const stats = new ProcessorStats();
    const write = createBatchWriter({
      ensureDays: async (times) => {
        steps.push(`days ${[...times].map((time) => time / DAY).join(",")}`);
      },
      persist: async (events, progressList) => {
        steps.push(`persist ${events.length} ${progressList.map((p) => p.nextOffset).join(",")}`);
        return result;
      },
      recordCounts: async (counts, sessions) => {
        steps.push(`counts ${counts.length} sessions ${sessions.map((s) => s.sessionId).join(",")}`);
      },
      stats,
    });
    await write(parts);
    expect(steps).toEqual(["days 2,3,3", "persist 3 5,11", "counts 1 sessions s1"]);
    expect(stats.take()).toMatchObject({ consumed: 3, persisted: 2, late: 1 });
  });

  it("fails with the transaction, and only then", async () => {
    let counted = false;
    const write = createBatchWriter({
      ensureDays: async () => undefined,
      persist: async () => {
        throw new Error("connection closed");
      },
      recordCounts: async () => {
        counted = true;
      },
      stats: new ProcessorStats(),
    });
    await expect(write(parts)).rejects.toThrow("connection closed");
    expect(counted).toBe(false);

    const degraded = createBatchWriter({
      ensureDays: async () => undefined,
      persist: async () => result,
      recordCounts: async () => {
        throw new Error("redis down"); // a cache: the batch is durable all the same
      },
      stats: new ProcessorStats(),
    });
    await expect(degraded(parts)).resolves.toBeUndefined();
  });

  describe("an event PostgreSQL refuses", () => {
    const refusal = (id: string) => Object.assign(new Error(`check violation ${id}`), { code: "23514" });

    /**
     * A database that refuses every transaction holding one of `poison` (as a constraint or
     * trigger would), and records what each committed transaction stored.
     */
    function refusingDatabase(poison: Set<string>) {
      const committed: { ids: string[]; offsets: number[]; watermark: (number | undefined)[] }[] = [];
      const deadLettered: { id: string; topic: string; partition: number; reason: string }[] = [];
      const write = createBatchWriter({
        ensureDays: async () => undefined,
        persist: async (events, progressList) => {
          const bad = events.find((event) => poison.has(event.eventId));
          if (bad) throw refusal(bad.eventId);
          committed.push({
            ids: events.map((event) => event.eventId),
            offsets: progressList.map((p) => p.nextOffset),
            watermark: progressList.map((p) => p.maxEventTime),
          });
          return { ...result, inserted: events.length, late: 0, secondCounts: [] };
        },
        recordCounts: async () => undefined,
        deadLetter: async ({ progress: p }, event, reason) => {
          deadLettered.push({ id: event.eventId, topic: p.topic, partition: p.partition, reason });
        },
        stats: new ProcessorStats(),
      });
      return { write, committed, deadLettered };
    }

    const partOf = (partition: number, offsets: number[], next: number): PartitionBatch => ({
      events: offsets.map((offset) => pending(partition, offset, DAY)),
      progress: { ...progress(partition, next), maxEventTime: 5 * DAY },
    });

    it("is dead-lettered alone: every other event is stored once, in order, and each offset stored leads to the first event not yet stored", async () => {
      const db = refusingDatabase(new Set(["e-1-12"]));
      const batch = [partOf(0, [4, 5], 6), partOf(1, [9, 10, 11, 12, 13, 14, 15], 16)];
      const counted = async () =>
        Object.fromEntries((await processorEventsTotal.get()).values.map((v) => [v.labels.outcome, v.value]));
      const countedBefore = await counted();
      await db.write(batch);
      // counted as refused, not as a duplicate
      const countedAfter = await counted();
      expect((countedAfter.refused ?? 0) - (countedBefore.refused ?? 0)).toBe(1);
      expect((countedAfter.duplicate ?? 0) - (countedBefore.duplicate ?? 0)).toBe(0);
      expect(db.deadLettered).toEqual([
        {
          id: "e-1-12",
          topic: "events.click",
          partition: 1,
          reason: "refused_by_database: 23514 check violation e-1-12",
        },
      ]);
      const stored = db.committed.flatMap((c) => c.ids);
      expect(stored.sort()).toEqual(
        ["e-0-4", "e-0-5", "e-1-9", "e-1-10", "e-1-11", "e-1-13", "e-1-14", "e-1-15"].sort(),
      );
      // partition 1's pieces in offset order, each transaction's offset the next piece's first
      const pieces = db.committed.filter((c) => c.ids.every((id) => id.startsWith("e-1-")));
      let expectedNext = 9;
      for (const piece of pieces) {
        if (piece.ids.length > 0) expect(piece.ids[0]).toBe(`e-1-${expectedNext === 12 ? 13 : expectedNext}`);
        expectedNext = piece.offsets[0] as number;
      }
      expect(expectedNext).toBe(16);
      // the watermark moves with the partition's last piece only
      expect(pieces.at(-1)?.watermark).toEqual([5 * DAY]);
      expect(pieces.slice(0, -1).every((piece) => piece.watermark[0] === undefined)).toBe(true);
    });

    it("a record packing several events may be split: the piece before the refused event stores the record's own offset, so a crash re-reads it", async () => {
      const db = refusingDatabase(new Set(["e-0-7"]));
      const batch: PartitionBatch = {
        events: [pending(0, 7, DAY), pending(0, 7, DAY), pending(0, 7, DAY)].map((event, i) => ({
          ...event,
          eventId: i === 1 ? "e-0-7" : `e-0-7-${i}`,
        })),
        progress: progress(0, 8),
      };
      await db.write([batch]);
      expect(db.deadLettered.map((d) => d.id)).toEqual(["e-0-7"]);
      expect(db.committed.flatMap((c) => c.ids)).toEqual(["e-0-7-0", "e-0-7-2"]);
      expect(db.committed.map((c) => c.offsets[0])).toEqual([7, 7, 8]);
    });

    it("more refused events than the limit fail the write, after storing what came before them", async () => {
      const offsets = Array.from({ length: 40 }, (_, i) => 100 + i);
      const poison = new Set(offsets.filter((offset) => offset % 3 === 0).map((offset) => `e-0-${offset}`));
      expect(poison.size).toBeGreaterThan(MAX_REFUSED_PER_WRITE);
      const db = refusingDatabase(poison);
      await expect(db.write([partOf(0, offsets, 140)])).rejects.toMatchObject({ code: "23514" });
      expect(db.deadLettered).toHaveLength(MAX_REFUSED_PER_WRITE);
      // stored: everything before the first refused event not dead-lettered (offset 132), and
      // the offsets up to it, so a retry starts there; nothing after it
      const firstKept = [...poison].map((id) => Number(id.slice(4))).sort((a, b) => a - b)[
        MAX_REFUSED_PER_WRITE
      ];
      expect(firstKept).toBe(132);
      expect(Math.max(...db.committed.map((c) => c.offsets[0] as number))).toBe(firstKept);
      const stored = db.committed.flatMap((c) => c.ids).map((id) => Number(id.slice(4)));
      expect(stored.sort((a, b) => a - b)).toEqual(offsets.filter((o) => o < 132 && o % 3 !== 0));
    });

    it("is not what a lost connection, a shutdown, a timeout or a repeated id is: those fail the write whole", async () => {
      for (const code of [
        "57P01",
        "08006",
        "57014",
        "53100",
        "23505",
        "40P01",
        "CONNECTION_CLOSED",
        "ECONNREFUSED",
      ])
        expect(isRefusedData(Object.assign(new Error(code), { code }))).toBe(false);
      for (const code of ["22P05", "22021", "23514", "23502", "54000", "P0001"])
        expect(isRefusedData(Object.assign(new Error(code), { code }))).toBe(true);
      expect(isRefusedData(new Error("no code"))).toBe(false);
      expect(isRefusedData(null)).toBe(false);

      let deadLettered = 0;
      const write = createBatchWriter({
        ensureDays: async () => undefined,
        persist: async () => {
          throw Object.assign(new Error("terminating connection due to administrator command"), {
            code: "57P01",
          });
        },
        recordCounts: async () => undefined,
        deadLetter: async () => {
          deadLettered += 1;
        },
        stats: new ProcessorStats(),
      });
      await expect(write(parts)).rejects.toMatchObject({ code: "57P01" });
      expect(deadLettered).toBe(0);
    });

    it("without a dead-letter sender the refusal fails the write as before", async () => {
      const write = createBatchWriter({
        ensureDays: async () => undefined,
        persist: async () => {
          throw refusal("x");
        },
        recordCounts: async () => undefined,
        stats: new ProcessorStats(),
      });
      await expect(write(parts)).rejects.toMatchObject({ code: "23514" });
    });
  });
});

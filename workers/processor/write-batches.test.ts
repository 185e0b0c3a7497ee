import { describe, expect, it } from "vitest";
import type { PartitionProgress, PersistResult } from "@/lib/services/events/persist-batch";
import type { PendingEvent } from "./decode-batch";
import { ProcessorStats } from "./processor-stats";
import { createBatchWriter, type PartitionBatch } from "./write-batches";

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
});

import type { Redis } from "ioredis";
import { parseCounterField, redisKeys } from "../redis";
import type { LiveSnapshotMessage, SnapshotCell } from "./live-protocol";

type SnapshotRealtime = NonNullable<LiveSnapshotMessage["realtime"]>;

/**
 * The per-second buckets of the last `seconds` seconds with their type x region detail
 * (one pipeline), so a live client can keep exact sliding totals as counts stream in.
 */
export async function readSnapshotCells(
  redis: Redis,
  projectId: string,
  seconds: number,
  nowMs = Date.now(),
): Promise<SnapshotRealtime> {
  const now = Math.floor(nowMs / 1000);
  const first = now - seconds + 1;
  const pipeline = redis.pipeline();
  for (let second = first; second <= now; second++) pipeline.hgetall(redisKeys.second(projectId, second));
  const results = (await pipeline.exec()) ?? [];
  const snapshot: SnapshotRealtime = {
    now,
    seconds,
    series: [],
    by_type: {},
    by_region: {},
    total: 0,
    cells: [],
  };
  results.forEach(([error, value], index) => {
    if (error) throw error;
    const second = first + index;
    let total = 0;
    for (const [field, raw] of Object.entries((value ?? {}) as Record<string, string>)) {
      const count = Number(raw);
      if (!Number.isFinite(count) || count === 0) continue;
      const { eventType, region } = parseCounterField(field);
      const cell: SnapshotCell = [second, eventType, region, count];
      snapshot.cells.push(cell);
      snapshot.by_type[eventType] = (snapshot.by_type[eventType] ?? 0) + count;
      snapshot.by_region[region] = (snapshot.by_region[region] ?? 0) + count;
      total += count;
    }
    snapshot.series.push({ second, total });
    snapshot.total += total;
  });
  return snapshot;
}

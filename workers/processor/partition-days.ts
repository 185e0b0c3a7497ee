const DAY_MS = 86_400_000;

/** Creates the raw_events partitions covering a range of days (inclusive, epoch ms). */
export type EnsureDayPartitions = (fromMs: number, toMs: number) => Promise<unknown>;

/**
 * Makes sure raw_events has a partition for every day a batch's events fall on, asking
 * PostgreSQL only for days this process has not seen yet (one statement for the span of the
 * missing days). A day is remembered only once its partition was created.
 */
export function createPartitionDays(ensure: EnsureDayPartitions): (times: Iterable<number>) => Promise<void> {
  const knownDays = new Set<number>();
  return async (times) => {
    const missing = new Set<number>();
    for (const time of times) {
      const day = Math.floor(time / DAY_MS);
      if (!knownDays.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    const days = [...missing];
    await ensure(Math.min(...days) * DAY_MS, Math.max(...days) * DAY_MS);
    days.forEach((day) => knownDays.add(day));
  };
}

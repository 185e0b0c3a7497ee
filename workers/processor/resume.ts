import type { StoredPartition } from "@/db/queries/consumer-progress";
import { logger } from "@/lib/logger";

export interface ResumeDeps {
  /** Settles what the replaced consumer queued and opens the write latch (WriteLanes.recover). */
  recoverWrites: () => Promise<void>;
  /** PostgreSQL's offsets and watermarks for the assigned partitions (the truth). */
  readProgress: (assignment: Record<string, number[]>) => Promise<StoredPartition[]>;
  /** Moves the new consumer's fetch position of one partition. */
  seek: (position: { topic: string; partition: number; offset: string }) => void;
}

/**
 * On every assignment: resume each partition from PostgreSQL's offset. After a failed write
 * the replaced consumer's queued batches settle (rejected) first, so writing resumes only
 * from the stored offsets. A partition PostgreSQL has no offset for starts where Kafka says.
 * Returns how many partitions were moved.
 */
export async function resumeFromStore(
  deps: ResumeDeps,
  assignment: Record<string, number[]>,
): Promise<number> {
  await deps.recoverWrites();
  const stored = await deps.readProgress(assignment);
  let resumed = 0;
  for (const { topic, partition, nextOffset } of stored) {
    if (nextOffset === undefined) continue;
    deps.seek({ topic, partition, offset: String(nextOffset) });
    resumed += 1;
  }
  logger.info({ assignment, resumed }, "partitions_assigned");
  return resumed;
}

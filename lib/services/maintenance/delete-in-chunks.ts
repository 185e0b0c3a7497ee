export interface ChunkOptions {
  /** The most rows one statement deletes. */
  maxRows: number;
  /** The duration each statement is sized for, from the last one's rows per millisecond. */
  targetMs: number;
  /** Checked before each statement: a pass stops between chunks (the next pass goes on). */
  stopped: () => boolean;
}

export interface ChunkedDeletion {
  deleted: number;
  /** Whether `stopped()` ended the loop while rows may remain. */
  interrupted: boolean;
}

/** The first statement's rows: small, since a table's cost per row is not known yet. */
const FIRST_CHUNK_ROWS = 10;
/** A chunk grows at most this much over the previous one. */
const MAX_GROWTH = 10;

/**
 * Runs `deleteChunk(limit)` (one autocommitted statement deleting at most `limit` rows) until a
 * statement deletes fewer than its limit. Each limit is sized from the previous statement's
 * duration: a delete whose foreign keys make each row slow gets small chunks, a cheap one grows
 * to `maxRows`, so no statement nears the statement timeout or holds its row locks for long.
 */
export async function deleteInChunks(
  deleteChunk: (limit: number) => Promise<number>,
  options: ChunkOptions,
): Promise<ChunkedDeletion> {
  let limit = Math.min(options.maxRows, FIRST_CHUNK_ROWS);
  let deleted = 0;
  for (;;) {
    if (options.stopped()) return { deleted, interrupted: true };
    const started = performance.now();
    const count = await deleteChunk(limit);
    deleted += count;
    if (count < limit) return { deleted, interrupted: false };
    limit = nextChunkRows(limit, performance.now() - started, options);
  }
}

/** The next statement's limit after `rows` rows took `elapsedMs`. */
export function nextChunkRows(
  rows: number,
  elapsedMs: number,
  options: Omit<ChunkOptions, "stopped">,
): number {
  const sized = Math.floor((rows * options.targetMs) / Math.max(elapsedMs, 1));
  return Math.max(1, Math.min(sized, rows * MAX_GROWTH, options.maxRows));
}

/**
 * Event-time watermarks, one per partition: the largest event time seen minus the
 * allowed lateness. An event whose window (of the largest configured size) ended at or
 * before its partition's watermark is late: it is kept raw but no longer counted.
 */
export class WatermarkTracker {
  private readonly maxEventTime = new Map<string, number>();

  constructor(
    private readonly allowedLatenessMs: number,
    private readonly windowMs: number,
  ) {}

  watermark(partitionKey: string): number {
    const max = this.maxEventTime.get(partitionKey);
    return max === undefined ? Number.NEGATIVE_INFINITY : max - this.allowedLatenessMs;
  }

  /** Classifies one event and advances the partition's watermark with it. */
  observe(partitionKey: string, eventTime: number): { late: boolean } {
    const windowEnd = windowStartOf(eventTime, this.windowMs) + this.windowMs;
    const late = windowEnd <= this.watermark(partitionKey);
    const max = this.maxEventTime.get(partitionKey);
    if (max === undefined || eventTime > max) this.maxEventTime.set(partitionKey, eventTime);
    return { late };
  }

  /** Starts a partition from a stored maximum (after a restart or a rebalance). */
  seed(partitionKey: string, maxEventTime: number): void {
    const max = this.maxEventTime.get(partitionKey);
    if (max === undefined || maxEventTime > max) this.maxEventTime.set(partitionKey, maxEventTime);
  }

  /** Forgets a partition (it was revoked from this process). */
  forget(partitionKey: string): void {
    this.maxEventTime.delete(partitionKey);
  }
}

/** Start of the tumbling window of size `windowMs` holding `eventTime` (aligned to the epoch). */
export function windowStartOf(eventTime: number, windowMs: number): number {
  return Math.floor(eventTime / windowMs) * windowMs;
}

/**
 * Event-time rules of the processor. The watermark that closes windows is computed in SQL
 * by the window closer (the smallest of the group's active partitions' largest event
 * times, minus the allowed lateness); what an event contributes to it, and whether an event
 * can fall into a window that is already closed, are decided here.
 */

/** Start of the tumbling window of size `windowMs` holding `eventTime` (aligned to the epoch). */
export function windowStartOf(eventTime: number, windowMs: number): number {
  return Math.floor(eventTime / windowMs) * windowMs;
}

/**
 * The time an event moves its partition's watermark to: its own time, but never more than
 * `maxSkewMs` past the time the server received it. A client with a fast clock (or a forged
 * timestamp) cannot close windows early and make honest events late.
 */
export function watermarkTime(eventTime: number, receivedAt: number, maxSkewMs: number): number {
  return Math.min(eventTime, receivedAt + maxSkewMs);
}

/**
 * Whether one of the event's windows may already be closed, so that SQL must check each
 * size's window (false: certainly open, the check is skipped). A window closes once the
 * watermark passes its end, and the watermark is at most a receive time plus the skew
 * minus the lateness; another machine's clock may be ahead by up to the skew again.
 */
export function mayBeClosed(
  eventTime: number,
  now: number,
  windowSizesMs: readonly number[],
  allowedLatenessMs: number,
  maxSkewMs: number,
): boolean {
  const latestWatermark = now + 2 * maxSkewMs - allowedLatenessMs;
  return windowSizesMs.some((size) => windowStartOf(eventTime, size) + size <= latestWatermark);
}

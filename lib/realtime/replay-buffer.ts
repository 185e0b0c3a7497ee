/**
 * The last few messages sent, so that a client reconnecting with `Last-Event-ID` gets what
 * it missed. Bounded by count and by age; sequences are consecutive integers.
 */
export interface BufferedFrame {
  sequence: number;
  frame: string;
  at: number;
}

export class ReplayBuffer {
  private readonly frames: BufferedFrame[] = [];

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {}

  push(sequence: number, frame: string, now = Date.now()): void {
    this.frames.push({ sequence, frame, at: now });
    if (this.frames.length > this.capacity) this.frames.splice(0, this.frames.length - this.capacity);
    this.expire(now);
  }

  /**
   * Frames after `sequence`, oldest first; undefined when some of them are no longer held
   * (the caller must start the client from a snapshot instead).
   */
  since(sequence: number, latest: number, now = Date.now()): string[] | undefined {
    this.expire(now);
    if (sequence > latest) return undefined; // an id from the future: another process, or a restart
    if (sequence === latest) return [];
    const first = this.frames[0];
    if (!first || first.sequence > sequence + 1) return undefined;
    return this.frames.filter((entry) => entry.sequence > sequence).map((entry) => entry.frame);
  }

  get size(): number {
    return this.frames.length;
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.frames.length && (this.frames[drop]?.at ?? now) < now - this.maxAgeMs) drop++;
    if (drop > 0) this.frames.splice(0, drop);
  }
}

/** What the processor did since the last system snapshot; read and reset every interval. */
export class ProcessorStats {
  consumed = 0;
  persisted = 0;
  late = 0;
  private batchMs: number[] = [];
  assignment: Record<string, number[]> = {};

  recordBatch(consumed: number, persisted: number, late: number, durationMs: number): void {
    this.consumed += consumed;
    this.persisted += persisted;
    this.late += late;
    if (this.batchMs.length < 10_000) this.batchMs.push(durationMs);
  }

  /** Returns the interval's figures and starts a new interval. */
  take(): { consumed: number; persisted: number; late: number; p50: number | null; p99: number | null } {
    const sorted = [...this.batchMs].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0
        ? null
        : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null);
    const figures = {
      consumed: this.consumed,
      persisted: this.persisted,
      late: this.late,
      p50: at(0.5),
      p99: at(0.99),
    };
    this.consumed = 0;
    this.persisted = 0;
    this.late = 0;
    this.batchMs = [];
    return figures;
  }
}

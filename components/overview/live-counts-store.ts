/**
 * The overview's live figures, kept per second and per type x region for the last five
 * minutes: seeded by the stream's snapshot, then added to by each "counts" message, so any
 * roll-up (total, per type, per region, rate) slides exactly. Pure: no React, no I/O.
 */
import type { LiveCountsMessage, LiveSnapshotMessage } from "@/lib/realtime/live-protocol";

export const RANGE_SECONDS = 300;
const RATE_SECONDS = 10;

export interface TypeFigure {
  name: string;
  total: number;
  /** Average events per second over the last RATE_SECONDS complete seconds. */
  rate: number;
}

export interface OverviewView {
  /** Epoch second of the newest (still filling) second, on the server's clock. */
  now: number;
  /** One point per complete second, oldest first (RANGE_SECONDS - 1 of them). */
  series: { second: number; total: number }[];
  total: number;
  rate: number;
  byType: TypeFigure[];
  byRegion: { name: string; total: number }[];
}

export class LiveCountsStore {
  /** second -> "type|region" -> count */
  private readonly cells = new Map<number, Map<string, number>>();
  /** Server clock minus browser clock, learnt from the snapshot. */
  private offsetMs = 0;
  seeded = false;
  version = 0;

  applySnapshot(snapshot: LiveSnapshotMessage, receivedAtMs: number): void {
    this.cells.clear();
    const realtime = snapshot.realtime;
    if (realtime) {
      this.offsetMs = (realtime.now + 0.5) * 1000 - receivedAtMs;
      for (const [second, type, region, count] of realtime.cells) this.add(second, type, region, count);
    }
    this.seeded = realtime !== null;
    this.version++;
  }

  applyCounts(message: LiveCountsMessage, nowMs: number): void {
    const oldest = this.serverSecond(nowMs) - RANGE_SECONDS;
    for (const { t, r, s, n } of message.counts) if (s > oldest) this.add(s, t, r, n);
    this.prune(oldest);
    this.version++;
  }

  serverSecond(nowMs: number): number {
    return Math.floor((nowMs + this.offsetMs) / 1000);
  }

  view(nowMs: number): OverviewView {
    const now = this.serverSecond(nowMs);
    const first = now - RANGE_SECONDS + 1;
    const byType = new Map<string, { total: number; recent: number }>();
    const byRegion = new Map<string, number>();
    const series: { second: number; total: number }[] = [];
    let total = 0;
    let recent = 0;
    for (let second = first; second <= now; second++) {
      const cell = this.cells.get(second);
      let secondTotal = 0;
      const isRecent = second >= now - RATE_SECONDS && second < now;
      for (const [key, count] of cell ?? []) {
        const bar = key.indexOf("|");
        const type = key.slice(0, bar);
        const region = key.slice(bar + 1);
        const figure = byType.get(type) ?? { total: 0, recent: 0 };
        figure.total += count;
        if (isRecent) figure.recent += count;
        byType.set(type, figure);
        byRegion.set(region, (byRegion.get(region) ?? 0) + count);
        secondTotal += count;
      }
      if (isRecent) recent += secondTotal;
      total += secondTotal;
      if (second < now) series.push({ second, total: secondTotal });
    }
    const sortDesc = <T extends { total: number }>(a: T, b: T) => b.total - a.total;
    return {
      now,
      series,
      total,
      rate: recent / RATE_SECONDS,
      byType: [...byType]
        .map(([name, figure]) => ({ name, total: figure.total, rate: figure.recent / RATE_SECONDS }))
        .sort(sortDesc),
      byRegion: [...byRegion].map(([name, count]) => ({ name, total: count })).sort(sortDesc),
    };
  }

  private add(second: number, type: string, region: string, count: number) {
    let cell = this.cells.get(second);
    if (!cell) {
      cell = new Map();
      this.cells.set(second, cell);
    }
    const key = `${type}|${region}`;
    cell.set(key, (cell.get(key) ?? 0) + count);
  }

  private prune(oldest: number) {
    for (const second of this.cells.keys()) if (second <= oldest) this.cells.delete(second);
  }
}

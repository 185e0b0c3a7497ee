import "server-only";
import type { WireEvent } from "@/lib/events/schema";
import { logger } from "@/lib/logger";
import { livePublishFailuresTotal } from "@/lib/metrics";
import type { LiveCountsMessage } from "@/lib/realtime/live-protocol";
import { getWebRedis } from "@/lib/realtime/redis-client";
import { getSeriesBounds } from "@/lib/realtime/series-bounds";
import { redisKeys } from "@/lib/redis";
import { UNKNOWN_REGION } from "./persist-batch";

/** Maps a sent type and region to their live series (see SeriesBounds); identity when unbounded. */
export interface LiveSeries {
  type(eventType: string): string;
  region(region: string): string;
}

const UNBOUNDED: LiveSeries = { type: (eventType) => eventType, region: (region) => region };

/**
 * Per-second counts of a request's events by (bounded) type and region, as the live channel
 * carries them; an event without a time of its own happened at `receivedAt`.
 */
export function countBySecond(
  events: WireEvent[],
  receivedAt: number,
  series: LiveSeries = UNBOUNDED,
): LiveCountsMessage {
  // type -> region -> second: lookups without building a key string per event
  const byType = new Map<string, Map<string, Map<number, { t: string; r: string; s: number; n: number }>>>();
  const counts: LiveCountsMessage["counts"] = [];
  for (const event of events) {
    const region = series.region(event.region ?? UNKNOWN_REGION);
    const type = series.type(event.event_type);
    const second = Math.floor((event.timestamp ?? receivedAt) / 1000);
    let byRegion = byType.get(type);
    if (!byRegion) byType.set(type, (byRegion = new Map()));
    let bySecond = byRegion.get(region);
    if (!bySecond) byRegion.set(region, (bySecond = new Map()));
    const cell = bySecond.get(second);
    if (cell) cell.n += 1;
    else {
      const created = { t: type, r: region, s: second, n: 1 };
      bySecond.set(second, created);
      counts.push(created);
    }
  }
  return { kind: "counts", counts };
}

/** How long a web process gathers live counts before it publishes them. */
export const LIVE_FLUSH_MS = 20;

type Cell = LiveCountsMessage["counts"][number];

/**
 * The live counts of one web process's requests, published at most once every LIVE_FLUSH_MS
 * per process: a request's counts go out at once when nothing was published in the last
 * interval; otherwise they are added up (per project, type, region and second) with the
 * others that come before the interval ends, and go out then, one message per project. At
 * 1,000 single-event requests a second, 50 messages instead of 1,000 for Redis and for every
 * subscribed process, for up to LIVE_FLUSH_MS more latency on the live view (none while
 * requests are sparse). Counts messages add up (the dashboard adds each to its cells), so a
 * merged one means the same.
 */
export class LiveCountsOutbox {
  private byProject = new Map<string, Map<string, Cell>>();
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly publish: (projectId: string, counts: Cell[]) => void,
    private readonly flushMs = LIVE_FLUSH_MS,
  ) {}

  add(projectId: string, counts: readonly Cell[]): void {
    if (counts.length === 0) return;
    let cells = this.byProject.get(projectId);
    if (!cells) this.byProject.set(projectId, (cells = new Map()));
    for (const cell of counts) {
      const key = `${cell.t}\u0000${cell.r}\u0000${cell.s}`;
      const held = cells.get(key);
      if (held) held.n += cell.n;
      else cells.set(key, { ...cell });
    }
    if (this.timer) return; // the interval's end publishes them
    const wait = this.lastFlushAt + this.flushMs - Date.now();
    if (wait <= 0) this.flush();
    else {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Publishes what was gathered. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    const gathered = this.byProject;
    this.byProject = new Map();
    for (const [projectId, cells] of gathered) this.publish(projectId, [...cells.values()]);
  }
}

let failing = false;

function publishNow(projectId: string, counts: Cell[]): void {
  const message: LiveCountsMessage & { project: string } = { kind: "counts", counts, project: projectId };
  getWebRedis()
    .publish(redisKeys.liveChannel(), JSON.stringify(message))
    .then(() => {
      failing = false;
    })
    .catch((error: unknown) => {
      livePublishFailuresTotal.inc();
      if (!failing) logger.warn({ err: error }, "live_publish_failed");
      failing = true;
    });
}

// one outbox per process, shared by every route bundle (Next.js may load a module more than once)
const outboxKey = Symbol.for("analytics.live-counts-outbox");
type GlobalWithOutbox = typeof globalThis & { [outboxKey]?: LiveCountsOutbox };

/**
 * Publishes the events Kafka just acknowledged on the live channel, so dashboards see them
 * at once or within LIVE_FLUSH_MS (LiveCountsOutbox) instead of after processing. Fire and forget: the
 * client's 202 never waits for Redis, and a Redis outage only pauses the live view (logged
 * once, counted). A process that stops loses at most its last interval's live counts; the
 * stored aggregates are the processor's and lose nothing.
 */
export function publishLiveCounts(projectId: string, events: WireEvent[], receivedAt: number): void {
  if (events.length === 0) return;
  const holder = globalThis as GlobalWithOutbox;
  holder[outboxKey] ??= new LiveCountsOutbox(publishNow);
  holder[outboxKey].add(projectId, countBySecond(events, receivedAt, getSeriesBounds(projectId)).counts);
}

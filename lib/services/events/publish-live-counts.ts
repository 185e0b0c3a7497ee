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

let failing = false;

/**
 * Publishes the events Kafka just acknowledged on the live channel, so dashboards see them
 * within milliseconds instead of after processing. Fire and forget: the client's 202 never
 * waits for Redis, and a Redis outage only pauses the live view (logged once, counted).
 */
export function publishLiveCounts(projectId: string, events: WireEvent[], receivedAt: number): void {
  if (events.length === 0) return;
  const message = { ...countBySecond(events, receivedAt, getSeriesBounds(projectId)), project: projectId };
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

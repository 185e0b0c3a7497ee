import "server-only";
import type { Sql } from "@/db/client";

export interface SystemSnapshot {
  role: string;
  instance: string;
  eventsInPerSecond: number;
  eventsPersistedPerSecond: number;
  lagByPartition: Record<string, number>;
  batchP50Ms: number | null;
  batchP99Ms: number | null;
  lateEvents: number;
  rssBytes: number;
}

/** One system_metrics row: a worker's figures of the last interval, for the System page. */
export async function recordSystemSnapshot(sql: Sql, snapshot: SystemSnapshot): Promise<void> {
  const lag = Object.values(snapshot.lagByPartition).reduce((a, b) => a + b, 0);
  await sql`
    insert into system_metrics (role, instance, events_in_per_second, events_persisted_per_second,
                                consumer_lag, lag_by_partition, batch_p50_ms, batch_p99_ms, late_events, rss_bytes)
    values (${snapshot.role}, ${snapshot.instance}, ${snapshot.eventsInPerSecond}, ${snapshot.eventsPersistedPerSecond},
            ${lag}, ${JSON.stringify(snapshot.lagByPartition)}::text::jsonb,
            ${snapshot.batchP50Ms}, ${snapshot.batchP99Ms}, ${snapshot.lateEvents}, ${snapshot.rssBytes})`;
}

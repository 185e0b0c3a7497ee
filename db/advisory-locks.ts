/**
 * Every PostgreSQL advisory lock key the application takes, in one place. Two features that
 * share a key wait on each other for nothing: until session 11, a retention pass (a session
 * lock held for the whole pass) and the processors' region admission (a transaction lock in
 * a batch write) shared 7202613, so a batch admitting a new region waited for retention.
 * Anomaly series take keys of their own (`hashtextextended('anomaly:<scope>', 0)`,
 * lib/services/anomalies/series-locks.ts).
 */
export const ADVISORY_LOCK_KEYS = {
  /** A replay or rebuild of aggregates (exclusive) against batch writes (shared). */
  replay: 7_202_611,
  /** The one processor that closes windows at a time. */
  windowCloser: 7_202_612,
  /** Admitting new regions to the aggregates, one batch at a time. */
  regionAdmission: 7_202_613,
  /** The one processor that applies retention at a time. */
  retention: 7_202_614,
  /** Creating raw_events day partitions: `hashtext('ensure_raw_events_partitions')`, taken in SQL (migration 0010). */
  partitionCreation: 1_209_340_582,
} as const;

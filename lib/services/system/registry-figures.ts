/**
 * A role's System-page figures read from its own Prometheus registry: what a counter or a
 * histogram gained between two readings. Pure: the readings are prom-client's `get()` values.
 */

export interface MetricReading {
  values: readonly {
    value: number;
    labels: Record<string, string | number | undefined>;
    metricName?: string;
  }[];
}

/** The sum of a counter's series whose labels match `where` (every series when omitted). */
export function counterTotal(reading: MetricReading | undefined, where: Record<string, string> = {}): number {
  if (!reading) return 0;
  return reading.values
    .filter((entry) => Object.entries(where).every(([label, value]) => String(entry.labels[label]) === value))
    .reduce((sum, entry) => sum + entry.value, 0);
}

/** A histogram's cumulative bucket counts summed over its series, by upper bound (seconds). */
export function histogramBuckets(reading: MetricReading | undefined): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const entry of reading?.values ?? []) {
    if (!entry.metricName?.endsWith("_bucket")) continue;
    const le = entry.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(entry.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + entry.value);
  }
  return buckets;
}

/**
 * The q-quantile in milliseconds of what a histogram observed between two bucket readings,
 * interpolated within its bucket as Prometheus's histogram_quantile does; null when nothing
 * was observed. Beyond the largest finite bound it answers that bound.
 */
export function quantileBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  q: number,
): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const gained = bounds.map((le) => ({ le, count: (after.get(le) ?? 0) - (before.get(le) ?? 0) }));
  const total = gained.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of gained) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lower * 1000;
      const inBucket = count - below;
      const share = inBucket === 0 ? 1 : (rank - below) / inBucket;
      return (lower + (le - lower) * share) * 1000;
    }
    lower = le;
    below = count;
  }
  return lower * 1000;
}

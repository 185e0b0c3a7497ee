export interface PipelineCounts {
  /** events produced into Kafka */
  sent: number;
  /** the run's events in raw_events */
  stored: number;
  /** event_count of the run's `*`/`*` roll-up rows, one window size */
  aggregated: number;
  /** event_count of the run's per-type rows (region `*`), same window size */
  aggregatedByType: number;
}

/**
 * A pipeline rate is only a rate if every event sent was stored and aggregated once: the
 * mismatch, as one line with all the counts, or undefined when stored = aggregated = sent.
 */
export function checkPipelineCounts(counts: PipelineCounts): string | undefined {
  const { sent, stored, aggregated, aggregatedByType } = counts;
  if (stored === sent && aggregated === sent && aggregatedByType === sent) return undefined;
  const n = (value: number) => value.toLocaleString("en");
  return `sent ${n(sent)}, stored ${n(stored)}, aggregated ${n(aggregated)} (per type: ${n(aggregatedByType)})`;
}

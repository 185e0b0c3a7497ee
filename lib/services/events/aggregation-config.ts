import { getEnv } from "@/lib/env";

/** How a deployment aggregates: its window sizes and the cardinality bounds of its series. */
export interface AggregationConfig {
  windowSizesSeconds: readonly number[];
  /** Types with a series of their own; the others are aggregated as "other". */
  eventTypes: readonly string[];
  /** How many regions get a series of their own; the later ones are aggregated as "other". */
  regionLimit: number;
  /** Whose region admissions apply (the processor's consumer group: one per deployment). */
  scope: string;
}

export function aggregationConfigFromEnv(): AggregationConfig {
  const env = getEnv();
  return {
    windowSizesSeconds: env.WINDOW_SIZES_SECONDS,
    eventTypes: env.EVENT_TYPES,
    regionLimit: env.AGGREGATION_REGION_LIMIT,
    scope: env.PROCESSOR_GROUP_ID,
  };
}

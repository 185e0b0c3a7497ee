/** Display names shared by the anomaly views. Pure. */
export const metricLabels: Record<string, string> = {
  count: "Events",
  distinct_users: "Distinct users",
  avg: "Average value",
  p95: "p95 value",
};

export function metricLabel(metric: string): string {
  return metricLabels[metric] ?? metric;
}

/** "purchase · eu-west" with "*" spelled out. */
export function seriesLabel(eventType: string, region: string): string {
  return `${eventType === "*" ? "All types" : eventType} · ${region === "*" ? "all regions" : region}`;
}

export function windowLabel(seconds: number): string {
  return seconds % 3600 === 0
    ? `${seconds / 3600} h`
    : seconds % 60 === 0
      ? `${seconds / 60} min`
      : `${seconds} s`;
}

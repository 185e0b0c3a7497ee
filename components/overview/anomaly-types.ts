import type { Severity } from "@/components/ui";

/** The fields of an anomaly the overview shows (GET /api/anomalies, built with the anomaly issue). */
export interface AnomalySummary {
  id: string | number;
  event_type: string;
  region: string;
  metric: string;
  window_start: string;
  observed: number;
  expected: number | null;
  severity: Severity;
  status: string;
  direction?: string;
}

const SEVERITIES = new Set(["low", "medium", "high", "critical"]);

/** Accepts `{data: [...]}` (GET /api/anomalies) or a bare array; skips rows it cannot show. */
export function parseAnomalies(body: unknown): AnomalySummary[] {
  const list = Array.isArray(body)
    ? body
    : typeof body === "object" && body !== null
      ? (body as { data?: unknown }).data
      : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw: unknown) => {
    if (typeof raw !== "object" || raw === null) return [];
    const row = raw as Record<string, unknown>;
    const str = (key: string) => (typeof row[key] === "string" ? (row[key] as string) : undefined);
    const num = (key: string) => (typeof row[key] === "number" ? (row[key] as number) : undefined);
    const severity = str("severity");
    const windowStart = str("window_start");
    const observed = num("observed");
    const id = typeof row.id === "number" || typeof row.id === "string" ? row.id : undefined;
    if (id === undefined || !severity || !SEVERITIES.has(severity) || !windowStart || observed === undefined)
      return [];
    return [
      {
        id,
        event_type: str("event_type") ?? "*",
        region: str("region") ?? "*",
        metric: str("metric") ?? "count",
        window_start: windowStart,
        observed,
        expected: num("expected") ?? null,
        severity: severity as Severity,
        status: str("status") ?? "open",
        direction: str("direction"),
      },
    ];
  });
}

import { fetchJson } from "@/components/ui";
import type { AnomalyDetailDto, AnomalyDto } from "@/lib/alerts/dto";

export type AnomalyStatus = AnomalyDto["status"];

export interface AnomalyFilters {
  status: AnomalyStatus | "all";
  eventType: string;
  region: string;
  metric: string;
}

export const anomalyKeys = {
  all: ["anomalies"] as const,
  list: (filters: AnomalyFilters) => ["anomalies", "list", filters] as const,
  detail: (id: number) => ["anomalies", "detail", id] as const,
};

export function listQuery(filters: AnomalyFilters, cursor?: string): string {
  const params = new URLSearchParams({ with_points: "true", limit: "20" });
  if (filters.status !== "all") params.set("status", filters.status);
  if (filters.eventType.trim()) params.set("event_type", filters.eventType.trim());
  if (filters.region.trim()) params.set("region", filters.region.trim());
  if (filters.metric) params.set("metric", filters.metric);
  if (cursor !== undefined) params.set("cursor", cursor);
  return params.toString();
}

export function fetchAnomalies(filters: AnomalyFilters, cursor?: string) {
  return fetchJson<{ data: AnomalyDto[]; next_cursor: string | null }>(
    `/api/anomalies?${listQuery(filters, cursor)}`,
  );
}

export function fetchAnomaly(id: number) {
  return fetchJson<AnomalyDetailDto>(`/api/anomalies/${id}`);
}

export function setStatus(id: number, status: AnomalyStatus) {
  return fetchJson<{ anomaly: AnomalyDto }>(`/api/anomalies/${id}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ status }),
  });
}

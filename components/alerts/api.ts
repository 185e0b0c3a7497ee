import { fetchJson } from "@/components/ui";
import type { DeliveryDto, IncidentDto, PreviewDto, RuleDto } from "@/lib/alerts/dto";

export const alertKeys = {
  all: ["alerts"] as const,
  rules: ["alerts", "rules"] as const,
  incidents: (filter: string) => ["alerts", "incidents", filter] as const,
  deliveries: (filter: string) => ["alerts", "deliveries", filter] as const,
  preview: (id: string) => ["alerts", "preview", id] as const,
};

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

export const alertsApi = {
  listRules: () => fetchJson<{ data: RuleDto[]; next_cursor: null }>("/api/alerts/rules"),
  createRule: (body: unknown) => fetchJson<{ rule: RuleDto }>("/api/alerts/rules", json("POST", body)),
  updateRule: (id: string, body: unknown) =>
    fetchJson<{ rule: RuleDto }>(`/api/alerts/rules/${id}`, json("PATCH", body)),
  deleteRule: async (id: string) => {
    const response = await fetch(`/api/alerts/rules/${id}`, { method: "DELETE" });
    if (!response.ok && response.status !== 404) throw new Error(`delete answered ${response.status}`);
  },
  testRule: (id: string) =>
    fetchJson<{ delivery: DeliveryDto | null; in_app: boolean }>(
      `/api/alerts/rules/${id}/test`,
      json("POST"),
    ),
  previewRule: (id: string) => fetchJson<{ preview: PreviewDto }>(`/api/alerts/rules/${id}/preview`),
  previewDraft: (body: unknown) =>
    fetchJson<{ preview: PreviewDto }>("/api/alerts/rules/preview", json("POST", body)),
  listIncidents: (status: string) =>
    fetchJson<{ data: IncidentDto[]; next_cursor: string | null }>(
      `/api/alerts/incidents?limit=50${status === "all" ? "" : `&status=${status}`}`,
    ),
  acknowledge: (id: string) =>
    fetchJson<{ incident: IncidentDto }>(`/api/alerts/incidents/${id}/acknowledge`, json("POST")),
  listDeliveries: (status: string) =>
    fetchJson<{ data: DeliveryDto[]; next_cursor: string | null }>(
      `/api/alerts/deliveries?limit=50${status === "all" ? "" : `&status=${status}`}`,
    ),
};

import type { NotificationKind, RuleMetric, Severity } from "./constants";
import type { RuleCondition } from "./rule-schema";

/** The JSON body of every webhook notification (version 1). */
export interface WebhookPayload {
  version: 1;
  kind: NotificationKind;
  delivery_id: string;
  rule: { id: string; name: string; severity: Severity; condition: RuleCondition; for_windows: number };
  series: { event_type: string; region: string; metric: RuleMetric; window_seconds: number };
  window: { start: string; end: string } | null;
  observed: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number | null;
  /** The series was still warming up when scored: its band was wider and its score less sure. */
  warming_up: boolean;
  incident: {
    id: string;
    status: "open" | "acknowledged" | "resolved";
    fired_at: string;
    resolved_at: string | null;
  } | null;
  links: { rule: string; incident: string | null; anomaly: string | null };
  created_at: string;
}

export interface PayloadRule {
  id: string;
  name: string;
  severity: Severity;
  condition: RuleCondition;
  forWindows: number;
  eventType: string;
  region: string;
  metric: RuleMetric;
  windowSeconds: number;
}

export interface PayloadFigures {
  windowStart: Date | null;
  observed: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number | null;
  /** The detector was still warming up on the series (an anomaly rule's window). */
  warmingUp?: boolean;
}

export interface PayloadIncident {
  id: string;
  firedAt: Date;
  resolvedAt: Date | null;
}

function round(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value * 1e6) / 1e6;
}

/** Builds the body stored with a delivery (and sent, byte for byte the same, on every attempt). */
export function buildWebhookPayload(input: {
  kind: NotificationKind;
  deliveryId: string;
  rule: PayloadRule;
  figures: PayloadFigures;
  incident: PayloadIncident | null;
  anomalyId: number | null;
  baseUrl: string;
  now: Date;
}): WebhookPayload {
  const { kind, rule, figures, incident, baseUrl } = input;
  const base = baseUrl.replace(/\/+$/, "");
  const start = figures.windowStart;
  return {
    version: 1,
    kind,
    delivery_id: input.deliveryId,
    rule: {
      id: rule.id,
      name: rule.name,
      severity: rule.severity,
      condition: rule.condition,
      for_windows: rule.forWindows,
    },
    series: {
      event_type: rule.eventType,
      region: rule.region,
      metric: rule.metric,
      window_seconds: rule.windowSeconds,
    },
    window:
      start === null
        ? null
        : {
            start: start.toISOString(),
            end: new Date(start.getTime() + rule.windowSeconds * 1000).toISOString(),
          },
    observed: round(figures.observed),
    expected: round(figures.expected),
    lower: round(figures.lower),
    upper: round(figures.upper),
    score: round(figures.score),
    warming_up: figures.warmingUp ?? false,
    incident:
      incident === null
        ? null
        : {
            id: incident.id,
            status: kind === "resolved" ? "resolved" : "open",
            fired_at: incident.firedAt.toISOString(),
            resolved_at: incident.resolvedAt?.toISOString() ?? null,
          },
    links: {
      rule: `${base}/alerts?rule=${encodeURIComponent(rule.id)}`,
      incident: incident === null ? null : `${base}/alerts?incident=${encodeURIComponent(incident.id)}`,
      anomaly: input.anomalyId === null ? null : `${base}/anomalies/${input.anomalyId}`,
    },
    created_at: input.now.toISOString(),
  };
}

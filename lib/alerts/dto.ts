/**
 * The JSON shapes the alert and anomaly APIs answer with, and the mappers from stored rows.
 * Client components import the types only.
 */
import type {
  alertDeliveries,
  alertDeliveryAttempts,
  alertIncidents,
  alertRules,
  anomalies,
} from "@/db/schema";
import type {
  DeliveryStatus,
  IncidentStatus,
  NotificationKind,
  RuleMetric,
  RuleState,
  Severity,
} from "./constants";
import { isMuted } from "@/lib/domain/alerts/incident-machine";
import { maskWebhookUrl } from "./mask-url";
import type { RuleCondition } from "./rule-schema";
import type { SeriesPoint } from "@/lib/domain/alerts/series";

export type RuleRow = typeof alertRules.$inferSelect;
export type IncidentRow = typeof alertIncidents.$inferSelect;
export type DeliveryRow = typeof alertDeliveries.$inferSelect;
export type AttemptRow = typeof alertDeliveryAttempts.$inferSelect;
export type AnomalyRow = typeof anomalies.$inferSelect;

export interface IncidentDto {
  id: string;
  rule_id: string;
  rule_name: string | null;
  status: IncidentStatus;
  severity: Severity;
  event_type: string;
  region: string;
  metric: string;
  window_seconds: number;
  fired_window_start: string;
  resolved_window_start: string | null;
  observed: number | null;
  expected: number | null;
  score: number | null;
  anomaly_id: number | null;
  notified: boolean;
  fired_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

export interface RuleDto {
  id: string;
  name: string;
  event_type: string;
  region: string;
  metric: RuleMetric;
  window_seconds: number;
  condition: RuleCondition;
  for_windows: number;
  severity: Severity;
  /** The webhook's URL masked (maskWebhookUrl): it may carry a credential. */
  channels: { in_app: boolean; webhook: { url: string; has_secret: boolean } | null };
  muted_until: string | null;
  enabled: boolean;
  state: RuleState;
  open_incident: IncidentDto | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptDto {
  attempt: number;
  outcome: "delivered" | "retry" | "dead_lettered";
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempted_at: string;
}

export interface DeliveryDto {
  id: string;
  rule_id: string;
  rule_name: string | null;
  incident_id: string | null;
  kind: NotificationKind;
  /** Masked, as a rule's webhook URL. */
  url: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  dead_lettered_at: string | null;
  attempt_log: AttemptDto[];
}

export interface AnomalyDto {
  id: number;
  event_type: string;
  region: string;
  metric: string;
  window_start: string;
  window_seconds: number;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  /** 0-1: how far the series was past its warm-up when scored; below 1 it was still warming up. */
  confidence: number;
  /** The series was still warming up (confidence below 1): the band is wider, the score less sure. */
  warming_up: boolean;
  direction: "spike" | "drop";
  severity: Severity;
  status: "open" | "acknowledged" | "resolved";
  created_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  /** The series up to this window with its expected band (list: only with `with_points`). */
  points?: SeriesPoint[];
}

export interface AnomalyDetailDto {
  anomaly: AnomalyDto;
  /** The series around the anomaly, oldest first; points after it carry no expected band. */
  points: SeriesPoint[];
}

export interface PreviewIncidentDto {
  fired_window_start: string;
  resolved_window_start: string | null;
  peak_observed: number | null;
}

export interface PreviewDto {
  from: string;
  to: string;
  windows: number;
  incidents: PreviewIncidentDto[];
  points: (SeriesPoint & { breach: boolean })[];
  note: string | null;
}

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

export function toIncidentDto(row: IncidentRow, ruleName: string | null = null): IncidentDto {
  return {
    id: row.id,
    rule_id: row.ruleId,
    rule_name: ruleName,
    status: row.status,
    severity: row.severity,
    event_type: row.eventType,
    region: row.region,
    metric: row.metric,
    window_seconds: row.windowSeconds,
    fired_window_start: row.firedWindowStart.toISOString(),
    resolved_window_start: iso(row.resolvedWindowStart),
    observed: row.observed,
    expected: row.expected,
    score: row.score,
    anomaly_id: row.anomalyId,
    notified: row.notified,
    fired_at: row.firedAt.toISOString(),
    acknowledged_at: iso(row.acknowledgedAt),
    resolved_at: iso(row.resolvedAt),
  };
}

export function ruleStateOf(rule: RuleRow, openIncident: IncidentRow | null, nowMs: number): RuleState {
  if (!rule.enabled) return "disabled";
  if (isMuted(rule.mutedUntil, nowMs)) return "muted";
  return openIncident === null ? "ok" : "firing";
}

/** A stored rule's definition fields in the API's names: shared by its DTO and its PATCH base. */
export function ruleDefinition(rule: RuleRow) {
  return {
    name: rule.name,
    event_type: rule.eventType,
    region: rule.region,
    metric: rule.metric,
    window_seconds: rule.windowSeconds,
    condition: rule.condition,
    for_windows: rule.forWindows,
    severity: rule.severity,
  };
}

export function toRuleDto(rule: RuleRow, openIncident: IncidentRow | null, nowMs: number): RuleDto {
  return {
    id: rule.id,
    ...ruleDefinition(rule),
    channels: {
      in_app: rule.inApp,
      webhook:
        rule.webhookUrl === null
          ? null
          : { url: maskWebhookUrl(rule.webhookUrl), has_secret: rule.webhookSecret !== null },
    },
    muted_until: iso(rule.mutedUntil),
    enabled: rule.enabled,
    state: ruleStateOf(rule, openIncident, nowMs),
    open_incident: openIncident === null ? null : toIncidentDto(openIncident, rule.name),
    created_at: rule.createdAt.toISOString(),
    updated_at: rule.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(
  row: DeliveryRow,
  attempts: AttemptRow[],
  ruleName: string | null,
): DeliveryDto {
  return {
    id: row.id,
    rule_id: row.ruleId,
    rule_name: ruleName,
    incident_id: row.incidentId,
    kind: row.kind,
    url: maskWebhookUrl(row.url),
    status: row.status,
    attempts: row.attempts,
    max_attempts: row.maxAttempts,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    delivered_at: iso(row.deliveredAt),
    dead_lettered_at: iso(row.deadLetteredAt),
    attempt_log: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      attempted_at: attempt.attemptedAt.toISOString(),
    })),
  };
}

export function toAnomalyDto(row: AnomalyRow): AnomalyDto {
  return {
    id: row.id,
    event_type: row.eventType,
    region: row.region,
    metric: row.metric,
    window_start: row.windowStart.toISOString(),
    window_seconds: row.windowSeconds,
    observed: row.observed,
    expected: row.expected,
    lower: row.lower,
    upper: row.upper,
    score: row.score,
    confidence: row.confidence,
    warming_up: row.confidence < 1,
    direction: row.direction,
    severity: row.severity,
    status: row.status,
    created_at: row.createdAt.toISOString(),
    acknowledged_at: iso(row.acknowledgedAt),
    resolved_at: iso(row.resolvedAt),
  };
}

/**
 * The vocabulary of alert rules, shared by the API, the workers and the UI (no server imports, so
 * client components may import it).
 */
import type { WindowMetric } from "../events/closed-window";

/**
 * The window metrics a rule or an anomaly series watches: the closed-window contract's list,
 * repeated so that client components do not bundle zod (building a zod object schema probes
 * `new Function`, a violation of the dashboard's CSP); constants.test.ts holds the two equal.
 */
export const ruleMetrics = [
  "count",
  "distinct_users",
  "avg",
  "p95",
] as const satisfies readonly WindowMetric[];
export type RuleMetric = (typeof ruleMetrics)[number];

export const sensitivities = ["low", "medium", "high"] as const;
export type Sensitivity = (typeof sensitivities)[number];

export const severities = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof severities)[number];

export const conditionTypes = ["anomaly", "threshold", "no_data"] as const;
export type ConditionType = (typeof conditionTypes)[number];

export const thresholdOperators = ["above", "below"] as const;
export type ThresholdOperator = (typeof thresholdOperators)[number];

/** "*" in a scope means the roll-up series over all event types or all regions. */
export const ALL_SCOPE = "*";

export const ruleStates = ["ok", "firing", "muted", "disabled"] as const;
export type RuleState = (typeof ruleStates)[number];

export const incidentStatuses = ["open", "acknowledged", "resolved"] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const deliveryStatuses = ["pending", "retrying", "delivered", "dead_lettered"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const notificationKinds = ["firing", "resolved", "test"] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export function isRuleMetric(value: string): value is RuleMetric {
  return (ruleMetrics as readonly string[]).includes(value);
}

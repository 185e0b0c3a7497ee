/** Plain-language descriptions of rules for the list. Pure. */
import type { RuleDto } from "@/lib/alerts/dto";

const metricNames: Record<string, string> = {
  count: "events",
  distinct_users: "distinct users",
  avg: "average value",
  p95: "p95 value",
};

export function describeScope(
  rule: Pick<RuleDto, "event_type" | "region" | "metric" | "window_seconds">,
): string {
  const type = rule.event_type === "*" ? "all types" : rule.event_type;
  const region = rule.region === "*" ? "all regions" : rule.region;
  const window =
    rule.window_seconds % 60 === 0 ? `${rule.window_seconds / 60} min` : `${rule.window_seconds} s`;
  return `${metricNames[rule.metric] ?? rule.metric} of ${type}, ${region}, per ${window}`;
}

export function describeCondition(rule: Pick<RuleDto, "condition" | "for_windows">): string {
  const { condition } = rule;
  const forText = rule.for_windows > 1 ? ` for ${rule.for_windows} windows` : "";
  switch (condition.type) {
    case "anomaly":
      return `anomaly (${condition.sensitivity} sensitivity)${forText}`;
    case "threshold":
      return `${condition.operator} ${condition.value}${forText}`;
    case "no_data":
      return `no data for ${condition.windows} window${condition.windows === 1 ? "" : "s"}`;
  }
}

/**
 * The PrometheusRule of the Kubernetes deployment is monitoring/prometheus/alerts.yml, the
 * rules compose runs and promtool tests, wrapped for the Prometheus Operator. Regenerate
 * after changing the rules: `npx tsx infra/kubernetes/generate-prometheus-rule.ts`
 * (tests/config/kubernetes.test.ts fails while it is stale).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const PROMETHEUS_RULE_FILE = "infra/kubernetes/prometheus-rule.yaml";

export function prometheusRuleYaml(): string {
  const rules = parse(readFileSync(path.join(ROOT, "monitoring/prometheus/alerts.yml"), "utf8")) as {
    groups: unknown[];
  };
  const resource = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "pulse" },
    spec: { groups: rules.groups },
  };
  const header =
    "# Generated from monitoring/prometheus/alerts.yml by generate-prometheus-rule.ts: do not edit.\n";
  return header + stringify(resource, { lineWidth: 0 });
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(path.join(ROOT, PROMETHEUS_RULE_FILE), prometheusRuleYaml());
}

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registry } from "@/lib/metrics";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** Metric names a PromQL text refers to that this code base defines (analytics_*). */
function referencedMetrics(text: string): string[] {
  const names = [...text.matchAll(/\b(analytics_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map(
    (m) => m[1] ?? "",
  );
  return [...new Set(names)];
}

describe("monitoring", () => {
  it("ships a Grafana dashboard whose queries use metrics the processes export", () => {
    const dashboard = JSON.parse(read("monitoring/grafana/dashboards/pulse-pipeline.json")) as {
      panels: unknown[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(5);
    const used = referencedMetrics(read("monitoring/grafana/dashboards/pulse-pipeline.json"));
    expect(used.length).toBeGreaterThan(5);
    for (const name of used) expect(registry.getSingleMetric(name), name).toBeDefined();
  });

  it("has Prometheus scrape and alert rules that parse and use existing metrics", () => {
    const config = parse(read("monitoring/prometheus/prometheus.yml")) as {
      scrape_configs: unknown[];
      rule_files: string[];
    };
    expect(config.scrape_configs.length).toBeGreaterThan(0);
    const rules = parse(read("monitoring/prometheus/alerts.yml")) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const all = rules.groups.flatMap((group) => group.rules);
    expect(all.length).toBeGreaterThan(2);
    for (const rule of all) {
      for (const name of referencedMetrics(rule.expr))
        expect(registry.getSingleMetric(name), `${rule.alert}: ${name}`).toBeDefined();
    }
  });
});

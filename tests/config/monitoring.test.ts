import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registry } from "@/lib/metrics";
import { workerRoleNames } from "@/workers/roles";
import { runTool, systemTool } from "./system-tools";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

const RULES = "monitoring/prometheus/alerts.yml";
const RULE_TESTS = "monitoring/prometheus/alerts.test.yml";
const ALERTMANAGER = "monitoring/alertmanager/alertmanager.yml";
const RUNBOOKS = "docs/operations.md";

/** Metric names a PromQL text refers to that this code base defines (analytics_*). */
function referencedMetrics(text: string): string[] {
  const names = [...text.matchAll(/\b(analytics_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map(
    (m) => m[1] ?? "",
  );
  return [...new Set(names)];
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (parse(read(RULES)) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");

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

  it("has Prometheus rules that use only metrics the processes export", () => {
    expect(alerts.length).toBeGreaterThan(8);
    for (const rule of rules) {
      for (const name of referencedMetrics(rule.expr))
        expect(registry.getSingleMetric(name), `${rule.alert ?? rule.record}: ${name}`).toBeDefined();
    }
  });

  it("gives every alert a severity Alertmanager routes, a summary and a runbook section that exists", () => {
    const headings = new Set(
      [...read(RUNBOOKS).matchAll(/^#{2,4} (.+)$/gm)].map((m) => `${RUNBOOKS}#${anchorOf(m[1] ?? "")}`),
    );
    for (const alert of alerts) {
      expect(["critical", "warning"], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
      expect(headings, `${alert.alert}: runbook ${alert.annotations?.runbook}`).toContain(
        alert.annotations?.runbook,
      );
    }
  });

  it("notices a missing worker of every role in the registry, and only those", () => {
    const missing = alerts.find((alert) => alert.alert === "WorkerRoleMissing");
    const roles = [...(missing?.expr ?? "").matchAll(/role="([a-z]+)"/g)].map((m) => m[1]).sort();
    expect(roles).toEqual([...workerRoleNames].sort());
  });

  it("has a promtool test in which each alert fires", () => {
    const tests = parse(read(RULE_TESTS)) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(
      tests.tests
        .flatMap((test) => test.alert_rule_test ?? [])
        .filter((check) => check.exp_alerts.length > 0)
        .map((check) => check.alertname),
    );
    expect([...fired].sort()).toEqual(alerts.map((alert) => alert.alert).sort());
  });
});

const promtool = systemTool("promtool", "prometheus");

describe.skipIf(!promtool.run)(`Prometheus's own checks: ${promtool.note}`, () => {
  it("accepts the rules and passes their unit tests (promtool test rules)", () => {
    const checked = runTool("promtool", ["check", "rules", RULES], ROOT);
    expect(checked.status, checked.output).toBe(0);
    const tested = runTool("promtool", ["test", "rules", RULE_TESTS], ROOT);
    expect(tested.status, tested.output).toBe(0);
    expect(tested.output).toContain("SUCCESS");
  });

  it("accepts the scrape configuration", () => {
    const checked = runTool(
      "promtool",
      ["check", "config", "--syntax-only", "monitoring/prometheus/prometheus.yml"],
      ROOT,
    );
    expect(checked.status, checked.output).toBe(0);
  });
});

const amtool = systemTool("amtool", "prometheus-alertmanager");

describe.skipIf(!amtool.run)(`Alertmanager's own checks: ${amtool.note}`, () => {
  it("accepts the configuration (amtool check-config)", () => {
    const checked = runTool("amtool", ["check-config", ALERTMANAGER], ROOT);
    expect(checked.status, checked.output).toBe(0);
  });

  it("pages on-call for every critical alert and tells the team of every warning", () => {
    const expected = { critical: "on-call", warning: "team" } as Record<string, string>;
    for (const alert of alerts) {
      const severity = alert.labels?.severity ?? "";
      const routed = runTool(
        "amtool",
        [
          "config",
          "routes",
          "test",
          `--config.file=${ALERTMANAGER}`,
          `alertname=${alert.alert}`,
          `severity=${severity}`,
        ],
        ROOT,
      );
      expect(routed.status, routed.output).toBe(0);
      expect(routed.stdout.trim(), alert.alert).toBe(expected[severity]);
    }
  });
});

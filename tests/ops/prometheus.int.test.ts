/**
 * Debian's real Prometheus scrapes a running stack with the project's own scrape jobs
 * (monitoring/prometheus/prometheus.yml, its addresses pointed at the test's processes) and
 * alert rules: every target is up, every metric a rule or the Grafana dashboard reads exists,
 * and every rule evaluates without error.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { systemTool } from "../config/system-tools";
import { provisionCredentials } from "../support/credentials";
import { freePort } from "../support/fault-stack";
import { startLoad } from "../support/load";
import { ensureServersRunning } from "../support/servers";
import { spawnLogged, stopChild, testEnv } from "../support/stack";
import { waitFor } from "../support/wait-for";
import { createDatabase, dropDatabase } from "../support/databases";
import {
  startNodeExporter,
  startPrometheus,
  type PrometheusServer,
  type ScrapeJob,
} from "./prometheus-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const prometheus = systemTool("prometheus", "prometheus");
const nodeExporter = systemTool("prometheus-node-exporter", "prometheus-node-exporter");

/** Metric families a PromQL text reads (a histogram's _bucket/_sum/_count by its family). */
function metricFamilies(text: string): string[] {
  const names = [...text.matchAll(/\b((?:analytics|node|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) =>
    (m[1] ?? "").replace(/_(bucket|sum|count)$/, ""),
  );
  return [...new Set(names)].sort();
}

const ruleExpressions = (
  parse(read("monitoring/prometheus/alerts.yml")) as { groups: { rules: { expr: string }[] }[] }
).groups
  .flatMap((group) => group.rules.map((rule) => rule.expr))
  .join("\n");
const dashboardExpressions = [
  ...read("monitoring/grafana/dashboards/pulse-pipeline.json").matchAll(/"expr":\s*"([^"]*)"/g),
]
  .map((m) => m[1])
  .join("\n");

const tag = randomBytes(3).toString("hex");
const database = `analytics_prometheus_${tag}`;
const stops: (() => Promise<void>)[] = [];
let server: PrometheusServer | undefined;
let baseUrl = "";
let ingestKey = "";

beforeAll(async () => {
  if (!prometheus.run || !nodeExporter.run) return;
  await ensureServersRunning();
  const url = await createDatabase(database);
  ingestKey = (await provisionCredentials(url, `prometheus-${tag}`)).ingestKey;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env = { ...testEnv(tag, port), DATABASE_URL: url, WEB_PROCESSES: "1" };
  // the compose service names of the scrape config, and where each one runs here
  const addresses = new Map<string, string>();
  const spawnRole = async (service: string, args: string[]) => {
    const metricsPort = await freePort();
    addresses.set(`${service}:9464`, `127.0.0.1:${metricsPort}`);
    const child = spawnLogged(`prometheus-${tag}-${service}`, process.execPath, args, {
      ...env,
      METRICS_PORT: String(metricsPort),
    });
    stops.push(() => stopChild(child));
  };
  await spawnRole("web", ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"]);
  for (const role of ["processor", "anomaly", "alerts"])
    await spawnRole(role, ["--conditions=react-server", "--import", "tsx", "workers/main.ts", role]);
  const exporter = await startNodeExporter();
  stops.push(exporter.stop);
  addresses.set("node-exporter:9100", exporter.address);

  const scrape = parse(read("monitoring/prometheus/prometheus.yml")) as {
    scrape_configs: {
      job_name: string;
      static_configs: { targets: string[]; labels?: Record<string, string> }[];
    }[];
  };
  const jobs: ScrapeJob[] = scrape.scrape_configs.map((config) => ({
    job: config.job_name,
    targets: config.static_configs.flatMap(({ targets, labels }) =>
      targets.map((target) => {
        const address = addresses.get(target);
        if (!address) throw new Error(`the scrape target ${target} is not started by this test`);
        return { address, labels };
      }),
    ),
  }));
  await waitFor(async () => (await fetch(`${baseUrl}/api/health`).catch(() => undefined))?.ok === true, {
    timeoutMs: 90_000,
    what: "the web app to answer /api/health",
  });
  server = await startPrometheus(jobs);
  stops.push(server.stop);
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  if (prometheus.run && nodeExporter.run) await dropDatabase(database);
});

describe.skipIf(!prometheus.run || !nodeExporter.run)(
  `Prometheus against the stack: ${prometheus.note}`,
  () => {
    it("scrapes every target, finds every metric the rules and the dashboard use, and evaluates every rule", async () => {
      if (!server) throw new Error("Prometheus did not start");
      const prom = server;
      // traffic, so that the pipeline's labelled series exist
      const load = startLoad(baseUrl, {
        ingestKey,
        region: `prometheus-${tag}`,
        types: ["click"],
        eventsPerSecond: 300,
      });
      try {
        await waitFor(
          async () => {
            const { activeTargets } = await prom.api<{ activeTargets: { health: string }[] }>(
              "/api/v1/targets",
            );
            return activeTargets.length > 0 && activeTargets.every((target) => target.health === "up");
          },
          { timeoutMs: 60_000, intervalMs: 500, what: "every scrape target up" },
        );
        const { activeTargets } = await prom.api<{
          activeTargets: { labels: Record<string, string>; health: string }[];
        }>("/api/v1/targets");
        expect(
          activeTargets
            .map((target) => `${target.labels.job}/${target.labels.role ?? "-"}:${target.health}`)
            .sort(),
        ).toEqual([
          "node/-:up",
          "web/-:up",
          "workers/alerts:up",
          "workers/anomaly:up",
          "workers/processor:up",
        ]);

        const used = metricFamilies(`${ruleExpressions}\n${dashboardExpressions}`);
        expect(used.length).toBeGreaterThan(15);
        let missing: string[] = [];
        await waitFor(
          async () => {
            const known = await prom.api<Record<string, unknown[]>>("/api/v1/metadata");
            missing = used.filter((name) => !(name in known));
            return missing.length === 0;
          },
          { timeoutMs: 30_000, intervalMs: 1000, what: "the metadata of every metric used" },
        ).catch(() => undefined);
        expect(missing).toEqual([]);
      } finally {
        await load.stop();
      }

      type RuleState = { name: string; health: string; lastError?: string; lastEvaluation: string };
      let rules: RuleState[] = [];
      await waitFor(
        async () => {
          const { groups } = await prom.api<{ groups: { rules: RuleState[] }[] }>("/api/v1/rules");
          rules = groups.flatMap((group) => group.rules);
          return rules.length > 0 && rules.every((rule) => !rule.lastEvaluation.startsWith("0001"));
        },
        { timeoutMs: 30_000, intervalMs: 500, what: "every rule evaluated once" },
      );
      expect(
        rules.filter((rule) => rule.health !== "ok").map((rule) => `${rule.name}: ${rule.lastError}`),
      ).toEqual([]);
    });
  },
);

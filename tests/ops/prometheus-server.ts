/**
 * Debian's real Prometheus (and node-exporter) for a test: a scrape configuration of the
 * given targets, the project's alert rules, a data folder of its own; queried over its API.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { freePort } from "../support/fault-stack";
import { stopChild } from "../support/stack";
import { waitFor } from "../support/wait-for";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ScrapeJob {
  job: string;
  targets: { address: string; labels?: Record<string, string> }[];
}

export interface PrometheusServer {
  url: string;
  /** GET of an API path (`/api/v1/...`); the `data` of its answer. */
  api<T>(pathAndQuery: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startPrometheus(jobs: ScrapeJob[]): Promise<PrometheusServer> {
  const folder = await mkdtemp(path.join(tmpdir(), "pulse-prometheus-"));
  const port = await freePort();
  const config = {
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: [path.join(ROOT, "monitoring/prometheus/alerts.yml")],
    scrape_configs: jobs.map(({ job, targets }) => ({
      job_name: job,
      static_configs: targets.map(({ address, labels }) => ({ targets: [address], labels: labels ?? {} })),
    })),
  };
  await writeFile(path.join(folder, "prometheus.yml"), stringify(config));
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${path.join(folder, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(folder, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited early: ${stderr}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
      },
      { timeoutMs: 30_000, what: "Prometheus to be ready" },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async api<T>(pathAndQuery: string) {
      const response = await fetch(`${url}${pathAndQuery}`);
      const body = (await response.json()) as { status: string; data: T; error?: string };
      if (body.status !== "success") throw new Error(`${pathAndQuery}: ${body.error ?? response.status}`);
      return body.data;
    },
    stop,
  };
}

/** node-exporter with the filesystem collector only (the broker disk alerts read it). */
export async function startNodeExporter(): Promise<{ address: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    "prometheus-node-exporter",
    [`--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.filesystem"],
    { stdio: "ignore" },
  );
  const address = `127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error("prometheus-node-exporter exited early");
      return (await fetch(`http://${address}/metrics`).catch(() => undefined))?.ok === true;
    },
    { timeoutMs: 15_000, what: "node-exporter to answer" },
  );
  return { address, stop: () => stopChild(child) };
}

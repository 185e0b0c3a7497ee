import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackProcesses } from "@/scripts/stack/stack-processes";
import { workerRoleNames } from "@/workers/roles";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => parse(readFileSync(path.join(ROOT, file), "utf8"), { merge: true }) as unknown;

describe("the worker role registry (workers/roles.ts)", () => {
  it("is what docker-compose.yml runs: one service per role, started as that role", () => {
    const compose = read("docker-compose.yml") as { services: Record<string, { command?: string[] }> };
    const started = Object.values(compose.services)
      .map((service) => service.command ?? [])
      .filter((command) => command.join(" ").startsWith("npm run worker --"))
      .map((command) => command.at(-1))
      .sort();
    expect(started).toEqual([...workerRoleNames].sort());
  });

  it("is what Prometheus scrapes: each role's metrics port", () => {
    const config = read("monitoring/prometheus/prometheus.yml") as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    for (const role of workerRoleNames) expect(targets, role).toContain(`${role}:9464`);
  });

  it("is what npm run up starts: one process of each role, N processors", () => {
    const names = stackProcesses({ port: 3000, processors: 2 }).map((spec) => spec.name);
    expect(names).toEqual(["web", "processor-1", "processor-2", "anomaly-1", "alerts-1"]);
    for (const role of workerRoleNames) expect(names.some((name) => name.startsWith(`${role}-`))).toBe(true);
  });
});

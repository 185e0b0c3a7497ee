import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "@/lib/env";

const ROOT = path.resolve(import.meta.dirname, "../..");
const schemaKeys = Object.keys(envSchema.shape).sort();

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
}

const compose = parse(readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const appServices = Object.entries(compose.services).filter(
  ([, service]) => service.image === "pulse-analytics:local",
);

describe("docker-compose.yml", () => {
  it("parses and runs the web app and every worker role", () => {
    const names = appServices.map(([name]) => name).sort();
    expect(names).toEqual(expect.arrayContaining(["alerts", "anomaly", "migrate", "processor", "web"]));
  });

  it("gives the application only variables its config schema knows", () => {
    for (const [name, service] of appServices) {
      const keys = Object.keys(service.environment ?? {});
      expect(keys.length, name).toBeGreaterThan(0);
      const unknown = keys.filter((key) => !schemaKeys.includes(key));
      expect(unknown, `${name} sets variables lib/env.ts does not read`).toEqual([]);
    }
  });

  it("uses the same ports as the local stack", () => {
    const ports = Object.values(compose.services).flatMap(
      (service) => (service as { ports?: string[] }).ports ?? [],
    );
    expect(ports).toEqual(expect.arrayContaining(["3000:3000", "9092:9092", "5432:5432", "6379:6379"]));
  });
});

describe(".env.example", () => {
  it("lists every configuration variable, and only those", () => {
    const text = readFileSync(path.join(ROOT, ".env.example"), "utf8");
    const keys = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]).sort();
    expect(keys).toEqual(schemaKeys);
  });
});

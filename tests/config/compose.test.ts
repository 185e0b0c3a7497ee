import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { envSchema } from "@/lib/env";
import { activeServices, composeModel, readComposeFile, ROOT, type ComposeModel } from "./compose-model";

const schemaKeys = Object.keys(envSchema.shape).sort();
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

const SINGLE = ["docker-compose.yml"];
const CLUSTER = ["docker-compose.yml", "docker-compose.cluster.yml"];
const FILES = ["docker-compose.yml", "docker-compose.cluster.yml", "docker-compose.ports.yml"];
const APP_IMAGE = "pulse-analytics:local";
const DATA_STORES = ["kafka", "postgres", "redis", "prometheus", "alertmanager"];

/** The Compose Specification's JSON schema, as dclint ships it (a copy of compose-spec's schema/compose-spec.json). */
function compileComposeSchema() {
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve("dclint/package.json")), "schemas/compose.schema.json");
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  expect(schema.title).toBe("Compose Specification");
  // the draft-07 meta-schema under its https name, which Ajv knows by its http one
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

const brokers = (model: ComposeModel) =>
  activeServices(model).filter(([, service]) => service.image?.startsWith("apache/kafka:"));
const appServices = (model: ComposeModel) =>
  activeServices(model).filter(([name, service]) => service.image === APP_IMAGE && name !== "migrate");
const env = (value: unknown) => String(value ?? "");

/** Checks that hold for whichever set of brokers runs: the apps reach and wait for each. */
function expectAppsFollowTheBrokers(model: ComposeModel, replicationFactor: number) {
  const running = brokers(model);
  expect(running.length).toBe(replicationFactor);
  const advertised = running.map(([, broker]) => {
    const listeners = env(broker.environment?.KAFKA_ADVERTISED_LISTENERS);
    return /PLAINTEXT:\/\/([^,]+)/.exec(listeners)?.[1];
  });
  for (const [name, service] of appServices(model)) {
    const environment = service.environment ?? {};
    expect(env(environment.KAFKA_BROKERS).split(",").sort(), name).toEqual(advertised.sort());
    expect(env(environment.KAFKA_REPLICATION_FACTOR), name).toBe(String(replicationFactor));
    for (const [broker] of running) {
      expect(service.depends_on?.[broker]?.condition, `${name} waits for ${broker}`).toBe("service_healthy");
    }
    for (const dependency of Object.keys(service.depends_on ?? {}))
      expect(Object.keys(model.services), `${name} depends on ${dependency}`).toContain(dependency);
  }
  const ids = running.map(([, broker]) => Number(broker.environment?.KAFKA_NODE_ID)).sort();
  expect(ids).toEqual(running.map((_, index) => index + 1));
  const voters = running.map(([name, broker]) => `${env(broker.environment?.KAFKA_NODE_ID)}@${name}:9093`);
  const volumes = new Set<string>();
  for (const [name, broker] of running) {
    const environment = broker.environment ?? {};
    expect(env(environment.KAFKA_CONTROLLER_QUORUM_VOTERS).split(",").sort(), name).toEqual(voters.sort());
    expect(Number(environment.KAFKA_DEFAULT_REPLICATION_FACTOR), name).toBe(replicationFactor);
    expect(Number(environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR), name).toBe(replicationFactor);
    expect(Number(environment.KAFKA_MIN_INSYNC_REPLICAS), name).toBe(replicationFactor > 1 ? 2 : 1);
    expect(broker.healthcheck?.test, name).toBeDefined();
    const data = (broker.volumes ?? []).find((volume) => volume.endsWith(":/var/lib/kafka/data"));
    const volume = data?.split(":")[0] ?? "";
    expect(Object.keys(model.volumes ?? {}), `${name}'s data volume`).toContain(volume);
    volumes.add(volume);
  }
  expect(volumes.size, "each broker has a volume of its own").toBe(running.length);
}

describe("docker-compose files", () => {
  const validate = compileComposeSchema();

  it.each(FILES)("%s is valid against the Compose Specification's schema", (file) => {
    const valid = validate(readComposeFile(file));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each([SINGLE, CLUSTER, FILES].map((files) => files.join(" + ")))("%s, merged, is valid too", (files) => {
    expect(validate(composeModel(...files.split(" + "))), JSON.stringify(validate.errors)).toBe(true);
  });

  it("the schema check catches a mistake (a misspelt key)", () => {
    const model = composeModel(...SINGLE);
    const broken = {
      ...model,
      services: { ...model.services, web: { ...model.services.web, helthcheck: {} } },
    };
    expect(validate(broken)).toBe(false);
  });

  it("runs the web app and every worker role, each with a health check", () => {
    const model = composeModel(...SINGLE);
    expect(appServices(model).map(([name]) => name)).toEqual(
      expect.arrayContaining(["alerts", "anomaly", "processor", "web"]),
    );
    const oneShot = ["migrate"];
    for (const [name, service] of activeServices(model).filter(([name]) => !oneShot.includes(name))) {
      expect(service.healthcheck?.test, `${name} has a health check`).toBeDefined();
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
  });

  it("gives the application only variables its config schema knows", () => {
    for (const files of [SINGLE, CLUSTER]) {
      const model = composeModel(...files);
      for (const [name, service] of activeServices(model).filter(([, s]) => s.image === APP_IMAGE)) {
        const keys = Object.keys(service.environment ?? {});
        expect(keys.length, name).toBeGreaterThan(0);
        const unknown = keys.filter((key) => !schemaKeys.includes(key));
        expect(unknown, `${name} sets variables lib/env.ts does not read`).toEqual([]);
      }
    }
  });

  it("runs one broker by default, and the apps use and wait for it", () => {
    expectAppsFollowTheBrokers(composeModel(...SINGLE), 1);
  });

  it("runs three brokers with the cluster file, and the apps use and wait for all three", () => {
    expectAppsFollowTheBrokers(composeModel(...CLUSTER), 3);
  });

  it("gives every broker one valid cluster id: a base64url UUID, as kafka-storage.sh random-uuid prints", () => {
    for (const files of [SINGLE, CLUSTER]) {
      const ids = new Set(brokers(composeModel(...files)).map(([, b]) => env(b.environment?.CLUSTER_ID)));
      expect(ids.size, files.join(" + ")).toBe(1);
      const [id = ""] = ids;
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, "base64url").length).toBe(16);
      expect(Buffer.from(id, "base64url").toString("base64url")).toBe(id);
    }
    expect(brokers(composeModel(...CLUSTER)).length).toBe(3);
  });

  it("runs the Kafka version the local scripts run (infra/kafka/pom.xml)", () => {
    const local = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read("infra/kafka/pom.xml"))?.[1];
    expect(local).toBeDefined();
    const images = brokers(composeModel(...CLUSTER)).map(([, broker]) => broker.image);
    expect(images.length).toBe(3);
    for (const image of images) expect(image).toBe(`apache/kafka:${local}`);
  });

  it("publishes no data store by default; the ports file binds them to 127.0.0.1 only", () => {
    const model = composeModel(...CLUSTER);
    const published = Object.entries(model.services).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(published.map(([name]) => name).sort()).toEqual(["grafana", "web"]);
    const ports = readComposeFile("docker-compose.ports.yml");
    expect(Object.keys(ports.services).sort()).toEqual([...DATA_STORES].sort());
    for (const [name, service] of Object.entries(ports.services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it("takes every password from the environment, never a literal; Redis needs one; Grafana has no anonymous access", () => {
    const model = composeModel(...CLUSTER);
    const required = (name: string) => new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`);
    expect(env(model.services.postgres?.environment?.POSTGRES_PASSWORD)).toMatch(
      required("POSTGRES_PASSWORD"),
    );
    expect(env(model.services.redis?.environment?.REDIS_PASSWORD)).toMatch(required("REDIS_PASSWORD"));
    expect((model.services.redis?.command ?? []).join(" ")).toContain('--requirepass "$$REDIS_PASSWORD"');
    const grafana = model.services.grafana?.environment ?? {};
    expect(env(grafana.GF_SECURITY_ADMIN_PASSWORD)).toMatch(required("GRAFANA_ADMIN_PASSWORD"));
    expect(env(grafana.GF_AUTH_ANONYMOUS_ENABLED)).toBe("false");
    for (const [name, service] of appServices(model)) {
      const environment = service.environment ?? {};
      expect(env(environment.DATABASE_URL), name).toContain(":${POSTGRES_PASSWORD:?");
      expect(env(environment.REDIS_URL), name).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]+\}@/);
    }
    for (const [name, service] of Object.entries(model.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|_KEY$/.test(key))
          expect(env(value), `${name} ${key}`).toMatch(/^\$\{[A-Z_]+/);
      }
    }
  });

  it("documents every variable the compose files require in infra/compose/env.example", () => {
    const text = FILES.map(read).join("\n");
    const needed = new Set([...text.matchAll(/\$\{([A-Z_]+)(?::[?-][^}]*)?\}/g)].map((m) => m[1]));
    for (const secret of Object.values(composeModel(...FILES).secrets ?? {}))
      needed.add((secret as { environment?: string }).environment);
    const documented = [...read("infra/compose/env.example").matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    expect([...needed].sort()).toEqual(documented.sort());
  });
});

describe("the image", () => {
  const dockerfile = read("Dockerfile");
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  it("runs as a user other than root", () => {
    const user = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(user);
  });

  it("ships no dev dependencies", () => {
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(finalStage).not.toMatch(/npm (ci|install)/);
  });

  it("keeps .env files out of the build context", () => {
    const patterns = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim());
    expect(patterns).toContain(".env");
    expect(patterns).toContain(".env.*");
    expect(patterns.filter((p) => p.startsWith("!")).every((p) => p === "!.env.example")).toBe(true);
  });
});

describe(".env.example", () => {
  it("lists every configuration variable, and only those", () => {
    const text = read(".env.example");
    const keys = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]).sort();
    expect(keys).toEqual(schemaKeys);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import * as kedaV1alpha1 from "@kubernetes-models/keda/keda.sh/v1alpha1";
import * as monitoringV1 from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as coreV1 from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { prometheusRuleYaml, PROMETHEUS_RULE_FILE } from "@/infra/kubernetes/generate-prometheus-rule";
import { envSchema } from "@/lib/env";
import { closedWindowsTopic } from "@/lib/events/closed-window";
import { listEventTopics } from "@/lib/events/routing";
import { workerRoleNames } from "@/workers/roles";
import { podTemplateOf, renderKustomization, selects, type KubeObject } from "./kustomize-render";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const objects = renderKustomization(path.join(ROOT, "infra/kubernetes"));

type Json = Record<string, unknown>;
interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** apiVersion → the kubernetes-models module whose classes validate that group's kinds. */
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  "apps/v1": appsV1,
  "batch/v1": batchV1,
  "policy/v1": policyV1,
  "autoscaling/v2": autoscalingV2,
  "networking.k8s.io/v1": networkingV1,
  "keda.sh/v1alpha1": kedaV1alpha1,
  "monitoring.coreos.com/v1": monitoringV1,
};
/** Operators' kinds with no schema package on npm: held to the invariants below instead. */
const OPERATOR_KINDS = [
  "kafka.strimzi.io/v1beta2 Kafka",
  "kafka.strimzi.io/v1beta2 KafkaNodePool",
  "kafka.strimzi.io/v1beta2 KafkaTopic",
  "postgresql.cnpg.io/v1 Cluster",
  "postgresql.cnpg.io/v1 ScheduledBackup",
  "barmancloud.cnpg.io/v1 ObjectStore",
];

function modelFor(object: KubeObject): ModelClass | undefined {
  return MODELS[object.apiVersion]?.[object.kind] as ModelClass | undefined;
}

const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
const named = (kind: string, name: string) => {
  const found = ofKind(kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const spec = (object: KubeObject) => (object.spec ?? {}) as Json;
const workloads = objects.filter((object) => podTemplateOf(object) !== undefined);
const longRunning = workloads.filter((object) => object.kind !== "Job");
const containersOf = (object: KubeObject) => (podTemplateOf(object)?.spec.containers ?? []) as Json[];
const appWorkloads = workloads.filter((object) =>
  containersOf(object).some((container) => String(container.image).includes("pulse-analytics")),
);
const configMap = named("ConfigMap", "pulse-config").data as Record<string, string>;

/** Pods the operators make, by the labels they give them. */
const OPERATOR_PODS: Record<string, Record<string, string>> = {
  "kafka-broker": { "strimzi.io/cluster": "pulse", "strimzi.io/broker-role": "true" },
  "kafka-controller": { "strimzi.io/cluster": "pulse", "strimzi.io/controller-role": "true" },
  postgres: { "cnpg.io/cluster": "pulse-db" },
};
const pods: Record<string, Record<string, string>> = {
  ...Object.fromEntries(
    workloads.map((w) => [w.metadata.name.replace(/^pulse-/, ""), podTemplateOf(w)?.labels ?? {}]),
  ),
  ...OPERATOR_PODS,
};

describe("the Kubernetes manifests (infra/kubernetes, rendered as kustomize does)", () => {
  it("render to the expected objects, each in the pulse namespace", () => {
    expect(objects.length).toBeGreaterThan(30);
    for (const object of objects.filter((o) => o.kind !== "Namespace"))
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe("pulse");
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("validates every core, KEDA and Prometheus Operator object against its schema (kubernetes-models)", () => {
    let validated = 0;
    for (const object of objects) {
      const Model = modelFor(object);
      if (!Model) {
        expect(OPERATOR_KINDS, `${object.apiVersion} ${object.kind} has no schema check`).toContain(
          `${object.apiVersion} ${object.kind}`,
        );
        continue;
      }
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
      validated++;
    }
    expect(validated).toBeGreaterThan(25);
    expect(ofKind("ScaledObject")).toHaveLength(1);
  });

  it("the schema check catches a mistake (a replica count as text, a trigger without its type)", () => {
    const web = structuredClone(named("Deployment", "pulse-web"));
    (web.spec as Json).replicas = "two";
    expect(() => new appsV1.Deployment(web as never).validate()).toThrow(/replicas/);
    const scaled = structuredClone(named("ScaledObject", "pulse-processor"));
    delete ((scaled.spec as { triggers: Json[] }).triggers[0] as Json).type;
    expect(() => new kedaV1alpha1.ScaledObject(scaled as never).validate()).toThrow(/type/);
  });

  it("gives every long-running container readiness and liveness probes, and every container requests and limits", () => {
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        const where = `${workload.metadata.name}/${String(container.name)}`;
        if (workload.kind !== "Job") {
          expect(container.readinessProbe, `${where} readiness`).toBeDefined();
          expect(container.livenessProbe, `${where} liveness`).toBeDefined();
        }
        const resources = (container.resources ?? {}) as { requests?: Json; limits?: Json };
        for (const kind of ["cpu", "memory"]) {
          expect(resources.requests?.[kind], `${where} requests ${kind}`).toBeDefined();
          expect(resources.limits?.[kind], `${where} limits ${kind}`).toBeDefined();
        }
      }
    }
  });

  it("probes the workers on the endpoints workers/metrics-server.ts serves", () => {
    const source = read("workers/metrics-server.ts");
    for (const role of workerRoleNames) {
      const [container] = containersOf(named("Deployment", `pulse-${role}`));
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        const pathName = ((container?.[probe] as Json | undefined)?.httpGet as Json | undefined)?.path;
        expect(source, `${role} ${probe}`).toContain(`"${String(pathName)}"`);
      }
    }
    expect(
      (containersOf(named("Deployment", "pulse-processor"))[0]?.livenessProbe as Json).httpGet,
    ).toMatchObject({
      path: "/healthz/live",
    });
  });

  it("runs every role of the registry and the web app with package.json's commands, not npm", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    const commandOf = (name: string) =>
      (containersOf(named("Deployment", name))[0]?.command as string[]).join(" ");
    for (const role of workerRoleNames) expect(commandOf(`pulse-${role}`)).toBe(`${scripts.worker} ${role}`);
    expect(commandOf("pulse-web")).toBe(`${scripts.start} -p 3000`);
    expect((containersOf(named("Job", "pulse-migrate"))[0]?.command as string[]).join(" ")).toBe(
      scripts["db:setup"],
    );
  });

  it("sets only variables lib/env.ts reads, and every app container gets the stores' addresses", () => {
    const known = Object.keys(envSchema.shape);
    expect(Object.keys(configMap).filter((key) => !known.includes(key))).toEqual([]);
    for (const workload of appWorkloads) {
      for (const container of containersOf(workload)) {
        const fromConfigMaps = ((container.envFrom ?? []) as { configMapRef?: { name: string } }[]).flatMap(
          (source) => (source.configMapRef?.name === "pulse-config" ? Object.keys(configMap) : []),
        );
        const names = [
          ...fromConfigMaps,
          ...((container.env ?? []) as { name: string }[]).map((e) => e.name),
        ];
        const where = workload.metadata.name;
        expect(
          names.filter((name) => !known.includes(name)),
          `${where} sets unknown variables`,
        ).toEqual([]);
        expect(names, where).toEqual(expect.arrayContaining(["DATABASE_URL", "REDIS_URL", "KAFKA_BROKERS"]));
      }
    }
  });

  it("inlines no secret: no Secret object, connection URLs and passwords only from secretKeyRef", () => {
    expect(ofKind("Secret")).toEqual([]);
    const secretish = /PASSWORD|SECRET|TOKEN|_KEY$|_AUTH$|DATABASE_URL|REDIS_URL/;
    for (const [key, value] of Object.entries(configMap)) {
      expect(key).not.toMatch(secretish);
      expect(value, key).not.toMatch(/:\/\/[^/\s@]*:[^/\s@]*@/);
    }
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        for (const entry of (container.env ?? []) as { name: string; value?: string; valueFrom?: Json }[]) {
          if (secretish.test(entry.name)) {
            expect(entry.value, `${workload.metadata.name} ${entry.name}`).toBeUndefined();
            expect(entry.valueFrom?.secretKeyRef, `${workload.metadata.name} ${entry.name}`).toBeDefined();
          }
        }
      }
    }
    expect(JSON.stringify(objects)).not.toMatch(/-----BEGIN|password:\s*\S/i);
  });

  it("selects every pod with a NetworkPolicy that allows its flows, after a default deny", () => {
    const policies = ofKind("NetworkPolicy");
    const deny = named("NetworkPolicy", "default-deny");
    expect(spec(deny)).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const allowing = policies.filter((p) => Object.keys((spec(p).podSelector ?? {}) as Json).length > 0);
    for (const [pod, labels] of Object.entries(pods)) {
      expect(
        allowing.filter((p) => selects(spec(p).podSelector, labels)).length,
        `${pod} has its own policy`,
      ).toBeGreaterThan(0);
    }
    for (const policy of allowing) {
      const selected = Object.values(pods).some((labels) => selects(spec(policy).podSelector, labels));
      expect(selected, `${policy.metadata.name} selects a pod`).toBe(true);
    }
  });

  it("allows exactly the architecture's flows between the pods", () => {
    const policies = ofKind("NetworkPolicy");
    type Peer = { podSelector?: unknown; namespaceSelector?: unknown; ipBlock?: unknown };
    const rules = (policy: KubeObject, direction: "egress" | "ingress") =>
      ((spec(policy)[direction] ?? []) as { to?: Peer[]; from?: Peer[] }[]).flatMap(
        (rule) => rule.to ?? rule.from ?? [],
      );
    const reaches = (from: string, to: string) => {
      const source = pods[from] ?? {};
      const target = pods[to] ?? {};
      const out = policies
        .filter(
          (p) =>
            selects(spec(p).podSelector, source) ||
            Object.keys((spec(p).podSelector ?? {}) as Json).length === 0,
        )
        .flatMap((p) => rules(p, "egress"))
        .some((peer) => peer.namespaceSelector === undefined && selects(peer.podSelector, target));
      return out;
    };
    const flows = Object.keys(pods)
      .flatMap((from) =>
        Object.keys(pods)
          .filter((to) => to !== from && reaches(from, to))
          .map((to) => `${from} -> ${to}`),
      )
      .sort();
    expect(flows).toEqual(
      [
        "web -> kafka-broker",
        "web -> postgres",
        "web -> redis",
        "processor -> kafka-broker",
        "processor -> postgres",
        "processor -> redis",
        "anomaly -> kafka-broker",
        "anomaly -> postgres",
        "anomaly -> redis",
        "alerts -> postgres",
        "alerts -> redis",
        "migrate -> postgres",
        // Strimzi's pods among themselves (replication, the controller quorum)
        "kafka-broker -> kafka-controller",
        "kafka-controller -> kafka-broker",
      ].sort(),
    );
    const redisIngress = rules(named("NetworkPolicy", "redis"), "ingress");
    const clients = Object.keys(pods).filter((pod) =>
      redisIngress.some((peer) => selects(peer.podSelector, pods[pod] ?? {})),
    );
    expect(clients.sort()).toEqual(["alerts", "anomaly", "processor", "web"]);
  });

  it("gives each component its own ServiceAccount with no token and no role (nothing calls the API)", () => {
    const accounts = new Map(ofKind("ServiceAccount").map((sa) => [sa.metadata.name, sa]));
    const used = new Set<string>();
    for (const workload of workloads) {
      const podSpec = podTemplateOf(workload)?.spec ?? {};
      const name = String(podSpec.serviceAccountName);
      expect(accounts.get(name), `${workload.metadata.name}'s ServiceAccount`).toBeDefined();
      expect(accounts.get(name)?.automountServiceAccountToken, name).toBe(false);
      expect(podSpec.automountServiceAccountToken, workload.metadata.name).toBe(false);
      expect(used.has(name), `${name} is shared`).toBe(false);
      used.add(name);
    }
    for (const kind of ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"])
      expect(ofKind(kind)).toEqual([]);
  });

  it("runs every pod as non-root without privilege escalation (the namespace enforces restricted)", () => {
    expect(named("Namespace", "pulse").metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe(
      "restricted",
    );
    for (const workload of workloads) {
      const podSpec = podTemplateOf(workload)?.spec ?? {};
      expect((podSpec.securityContext as Json | undefined)?.runAsNonRoot, workload.metadata.name).toBe(true);
      for (const container of containersOf(workload)) {
        const context = (container.securityContext ?? {}) as Json;
        expect(context.allowPrivilegeEscalation, workload.metadata.name).toBe(false);
        expect(context.capabilities, workload.metadata.name).toEqual({ drop: ["ALL"] });
      }
    }
  });

  it("scales processors on consumer lag (KEDA) up to the partitions, and the web app on CPU (HPA)", () => {
    const scaled = spec(named("ScaledObject", "pulse-processor")) as {
      scaleTargetRef: { name: string };
      maxReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    expect(scaled.scaleTargetRef.name).toBe("pulse-processor");
    const [trigger] = scaled.triggers;
    expect(trigger?.type).toBe("kafka");
    expect(trigger?.metadata.consumerGroup).toBe(envSchema.shape.PROCESSOR_GROUP_ID.parse(undefined));
    expect(trigger?.metadata.bootstrapServers).toBe(configMap.KAFKA_BROKERS);
    expect(scaled.maxReplicaCount).toBeLessThanOrEqual(Number(configMap.KAFKA_PARTITIONS));
    const hpa = spec(named("HorizontalPodAutoscaler", "pulse-web")) as { scaleTargetRef: { name: string } };
    expect(hpa.scaleTargetRef.name).toBe("pulse-web");
    // an autoscaled Deployment declares no replica count for kubectl apply to reset
    for (const name of ["pulse-web", "pulse-processor"])
      expect(spec(named("Deployment", name)).replicas).toBeUndefined();
  });

  it("covers every Deployment and StatefulSet with a PodDisruptionBudget", () => {
    const budgets = ofKind("PodDisruptionBudget");
    for (const workload of longRunning) {
      const labels = podTemplateOf(workload)?.labels ?? {};
      expect(
        budgets.filter((b) => selects(spec(b).selector, labels)),
        workload.metadata.name,
      ).toHaveLength(1);
    }
  });

  it("runs Kafka in KRaft with three brokers and three controllers over zones, RF 3 and min ISR 2", () => {
    const kafka = named("Kafka", "pulse");
    expect(kafka.metadata.annotations).toMatchObject({
      "strimzi.io/kraft": "enabled",
      "strimzi.io/node-pools": "enabled",
    });
    const cluster = spec(kafka).kafka as { version: string; rack: Json; config: Json; listeners: Json[] };
    const local = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read("infra/kafka/pom.xml"))?.[1];
    expect(cluster.version).toBe(local);
    expect(cluster.rack.topologyKey).toBe("topology.kubernetes.io/zone");
    expect(cluster.config).toMatchObject({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "offsets.topic.replication.factor": 3,
      "transaction.state.log.min.isr": 2,
      "auto.create.topics.enable": false,
    });
    const pools = ofKind("KafkaNodePool").map((pool) => spec(pool) as { replicas: number; roles: string[] });
    expect(pools.filter((p) => p.roles.includes("broker")).reduce((n, p) => n + p.replicas, 0)).toBe(3);
    expect(pools.filter((p) => p.roles.includes("controller")).reduce((n, p) => n + p.replicas, 0)).toBe(3);
    expect(`${String(cluster.listeners[0]?.port)}`).toBe(configMap.KAFKA_BROKERS?.split(":")[1]);
    expect(configMap.KAFKA_BROKERS).toBe(`${kafka.metadata.name}-kafka-bootstrap:9092`);
    expect(configMap.KAFKA_REPLICATION_FACTOR).toBe("3");
  });

  it("declares a KafkaTopic for every topic the application uses, replicated 3 times with min ISR 2", () => {
    const eventTypes = envSchema.shape.EVENT_TYPES.parse(configMap.EVENT_TYPES);
    const prefix = configMap.KAFKA_TOPIC_PREFIX ?? "";
    const eventTopics = listEventTopics({ prefix, eventTypes });
    const needed = [
      ...eventTopics,
      `${prefix}events.dead-letter`,
      closedWindowsTopic(prefix),
      `${closedWindowsTopic(prefix)}.dead-letter`,
    ];
    const topics = ofKind("KafkaTopic").map(
      (t) => spec(t) as { topicName: string; partitions: number; replicas: number; config: Json },
    );
    expect(topics.map((t) => t.topicName).sort()).toEqual(needed.sort());
    for (const topic of topics) {
      expect(topic.replicas, topic.topicName).toBe(3);
      expect(topic.config["min.insync.replicas"], topic.topicName).toBe(2);
      expect(String(topic.config["retention.ms"]), topic.topicName).toBe(configMap.KAFKA_RETENTION_MS);
      if (eventTopics.includes(topic.topicName))
        expect(String(topic.partitions)).toBe(configMap.KAFKA_PARTITIONS);
    }
    for (const topic of ofKind("KafkaTopic"))
      expect(topic.metadata.labels?.["strimzi.io/cluster"]).toBe("pulse");
  });

  it("runs PostgreSQL as a primary and two replicas with hll and tdigest, backed up continuously", () => {
    const cluster = spec(named("Cluster", "pulse-db")) as {
      instances: number;
      imageName: string;
      bootstrap: { initdb: { database: string; postInitApplicationSQL: string[] } };
      plugins: { name: string; isWALArchiver?: boolean; parameters: { barmanObjectName: string } }[];
    };
    expect(cluster.instances).toBe(3);
    expect(cluster.bootstrap.initdb.database).toBe("analytics");
    expect(cluster.bootstrap.initdb.postInitApplicationSQL.join("\n")).toMatch(
      /EXTENSION IF NOT EXISTS hll[\s\S]*tdigest/,
    );
    const archiver = cluster.plugins.find((plugin) => plugin.isWALArchiver === true);
    expect(archiver?.name).toBe("barman-cloud.cloudnative-pg.io");
    const store = spec(named("ObjectStore", archiver?.parameters.barmanObjectName ?? "")) as {
      configuration: {
        destinationPath: string;
        s3Credentials: Record<string, { name: string; key: string }>;
      };
    };
    expect(store.configuration.destinationPath).toMatch(/^s3:\/\//);
    for (const ref of Object.values(store.configuration.s3Credentials))
      expect(ref.name).toBe("pulse-backup-s3");
    const backup = spec(named("ScheduledBackup", "pulse-db-nightly")) as {
      cluster: { name: string };
      method: string;
    };
    expect(backup).toMatchObject({ cluster: { name: "pulse-db" }, method: "plugin" });
    const major = /:(\d+)$/.exec(cluster.imageName)?.[1];
    const dockerfile = read("infra/kubernetes/postgres/Dockerfile");
    expect(dockerfile).toContain(`postgresql:${major}-`);
    expect(dockerfile).toContain(`postgresql-${major}-hll postgresql-${major}-tdigest`);
  });

  it("keeps Redis on a volume with an append-only file, noeviction and a password from a Secret", () => {
    const redis = named("StatefulSet", "pulse-redis");
    const command = (containersOf(redis)[0]?.command as string[]).join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(command).toContain('--requirepass "$REDIS_PASSWORD"');
    expect((spec(redis).volumeClaimTemplates as unknown[]).length).toBe(1);
  });

  it("ships the alert rules compose runs, as a PrometheusRule (regenerate: npx tsx infra/kubernetes/generate-prometheus-rule.ts)", () => {
    expect(parse(read(PROMETHEUS_RULE_FILE))).toEqual(parse(prometheusRuleYaml()));
    const rule = spec(named("PrometheusRule", "pulse")) as { groups: unknown[] };
    expect(rule.groups).toEqual(
      (parse(read("monitoring/prometheus/alerts.yml")) as { groups: unknown[] }).groups,
    );
  });

  it("scrapes the web app and the workers with the job and role labels the alerts use", () => {
    const workers = spec(named("PodMonitor", "pulse-workers")) as {
      selector: unknown;
      podMetricsEndpoints: Json[];
    };
    for (const role of workerRoleNames) expect(selects(workers.selector, pods[role] ?? {}), role).toBe(true);
    const relabelings = JSON.stringify(workers.podMetricsEndpoints);
    expect(relabelings).toContain('"targetLabel":"role"');
    expect(relabelings).toContain('"replacement":"workers"');
    const web = spec(named("PodMonitor", "pulse-web")) as { selector: unknown };
    expect(selects(web.selector, pods.web ?? {})).toBe(true);
  });
});

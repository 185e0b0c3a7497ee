/**
 * The local three-node KRaft cluster of `kafka.sh start --brokers 3` for a test: start and
 * stop it, SIGKILL a node, find the controller quorum's leader, wait for full replication.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { waitFor } from "../support/wait-for";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const KAFKA_SH = path.join(ROOT, "scripts/kafka/kafka.sh");
export const CLUSTER_SIZE = 3;
const FIRST_PORT = 29092;

export const clusterBrokers = Array.from(
  { length: CLUSTER_SIZE },
  (_, i) => `127.0.0.1:${FIRST_PORT + 2 * i}`,
);

export function clusterKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: clusterBrokers, logLevel: logLevel.NOTHING });
}

export async function startCluster(): Promise<void> {
  await run("bash", [KAFKA_SH, "start", "--brokers", String(CLUSTER_SIZE)], { cwd: ROOT, timeout: 180_000 });
}

export async function stopCluster(): Promise<void> {
  await run("bash", [KAFKA_SH, "stop", "--brokers", String(CLUSTER_SIZE)], { cwd: ROOT, timeout: 120_000 });
}

function nodePid(node: number): number {
  return Number(
    readFileSync(path.join(ROOT, ".local/kafka-cluster", `node-${node}`, "kafka.pid"), "utf8").trim(),
  );
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGKILL of a node's JVM (broker and controller); resolves once it is gone. */
export async function killNode(node: number): Promise<void> {
  const pid = nodePid(node);
  process.kill(pid, "SIGKILL");
  await waitFor(() => !alive(pid), { timeoutMs: 15_000, what: `node ${node} (pid ${pid}) to exit` });
}

/** The node id of the controller quorum's leader (Kafka's own metadata-quorum tool). */
export async function quorumLeader(): Promise<number> {
  const { stdout } = await run(
    "bash",
    [
      KAFKA_SH,
      "tool",
      "org.apache.kafka.tools.MetadataQuorumCommand",
      "--bootstrap-server",
      clusterBrokers.join(","),
      "describe",
      "--status",
    ],
    { cwd: ROOT, timeout: 60_000, env: { ...process.env, KAFKA_TOOLS_HEAP_OPTS: "-Xmx128m" } },
  );
  const leader = /LeaderId:\s*(\d+)/.exec(stdout)?.[1];
  if (leader === undefined) throw new Error(`no LeaderId in: ${stdout}`);
  return Number(leader);
}

/** Waits until every partition of these topics has all its replicas in sync. */
export async function waitForFullIsr(kafka: Kafka, topics: string[], timeoutMs = 120_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { topics: described } = await admin.fetchTopicMetadata({ topics });
        return described.every((topic) =>
          topic.partitions.every((partition) => partition.isr.length === partition.replicas.length),
        );
      },
      { timeoutMs, intervalMs: 250, what: `every replica of ${topics.length} topics in sync` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Per partition of the group's topics: the offset stored in PostgreSQL against the end (for failures). */
export async function describeLag(
  kafka: Kafka,
  stored: Map<string, number>,
  topics: string[],
): Promise<Record<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const lag: Record<string, string> = {};
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        const at = stored.get(`${topic}/${partition}`) ?? 0;
        if (Number(high) > at) lag[`${topic}/${partition}`] = `${at} of ${high}`;
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

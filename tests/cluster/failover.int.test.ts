/**
 * A three-node KRaft cluster (`kafka.sh start --brokers 3`), topics with replication factor 3
 * and min.insync.replicas 2, steady ingest. A broker is SIGKILLed, then (once it is back and
 * caught up) the controller quorum's leader. Ingest answers only 202 or 503 (the 503 window is
 * printed), the processor carries on through the leader changes, every acknowledged event is
 * stored exactly once and the killed node catches up.
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionCredentials } from "../support/credentials";
import { createDatabase, dropDatabase } from "../support/databases";
import { expectExactlyOnce, waitForZeroLag } from "../support/exactness";
import { freePort } from "../support/fault-stack";
import { startLoad, type Load } from "../support/load";
import { startPostgres, startRedis } from "../support/servers";
import { spawnLogged, spawnProcessor, stopChild, testEnv } from "../support/stack";
import { waitFor } from "../support/wait-for";
import {
  clusterBrokers,
  clusterKafka,
  describeLag,
  killNode,
  quorumLeader,
  startCluster,
  stopCluster,
  waitForFullIsr,
} from "./cluster";

const WINDOW_SIZES = [60, 300] as const;
const tag = randomBytes(3).toString("hex");
const database = `analytics_cluster_${tag}`;
const region = `cluster-${tag}`;
const kafka = clusterKafka("failover-test");
const children: ChildProcess[] = [];
let env: Record<string, string> = {};
let sql: postgres.Sql | undefined;
let ingestKey = "";

beforeAll(async () => {
  // the cluster replaces the single broker: only PostgreSQL and Redis are needed besides
  await startPostgres();
  await startRedis();
  await startCluster();
  const url = await createDatabase(database);
  sql = postgres(url, { max: 2, onnotice: () => undefined });
  ingestKey = (await provisionCredentials(url, `cluster-${tag}`)).ingestKey;
  const port = await freePort();
  env = {
    ...testEnv(tag, port),
    DATABASE_URL: url,
    WEB_PROCESSES: "1",
    KAFKA_BROKERS: clusterBrokers.join(","),
    KAFKA_REPLICATION_FACTOR: "3",
    KAFKA_TOPIC_PREFIX: `cluster-${tag}.`,
    PROCESSOR_GROUP_ID: `cluster-processor-${tag}`,
    REDIS_KEY_PREFIX: `cluster-${tag}:`,
    WINDOW_SIZES_SECONDS: WINDOW_SIZES.join(","),
    PROCESSOR_SESSION_TIMEOUT_MS: "6000",
  };
  children.push(
    spawnLogged(
      `cluster-${tag}-web`,
      process.execPath,
      ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"],
      env,
    ),
    // at info: its log says what it did through each leader change
    spawnProcessor(`cluster-${tag}-processor`, { ...env, LOG_LEVEL: "info" }),
  );
  await waitFor(
    async () => {
      if (children.some((child) => child.exitCode !== null)) throw new Error("a process exited early");
      return (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined))?.ok === true;
    },
    { timeoutMs: 90_000, what: "the web app on the cluster to answer /api/health" },
  );
});

afterAll(async () => {
  await Promise.all(children.map(stopChild));
  await sql?.end();
  await stopCluster();
  await dropDatabase(database);
});

/** 503s answered from `since` on: how many, and the time from the first to the last. */
function window503(answers: { status: string; at: number }[], since: number) {
  const failed = answers.filter((answer) => answer.status === "503" && answer.at >= since);
  const first = failed[0]?.at;
  const last = failed.at(-1)?.at;
  return { count: failed.length, window_ms: first === undefined || last === undefined ? 0 : last - first };
}

describe("three-broker cluster", () => {
  it("keeps ingesting and storing exactly once through a broker and a controller killed", async () => {
    const db = sql;
    if (!db) throw new Error("the stack did not start");
    const answers: { status: string; at: number }[] = [];
    const load: Load = startLoad(`http://127.0.0.1:${env.PORT ?? ""}`, {
      ingestKey,
      region,
      types: ["click", "page_view", "purchase"],
      eventsPerSecond: 400,
      onAnswer: (status) => answers.push({ status, at: Date.now() }),
    });
    const ackedAtLeast = (n: number) =>
      waitFor(() => load.report.acked.size >= n, { timeoutMs: 90_000, what: `${n} acknowledged events` });
    const processor = children[1];
    const figures: Record<string, unknown>[] = [];
    try {
      await ackedAtLeast(1000);
      const admin = kafka.admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((topic) =>
        topic.startsWith(env.KAFKA_TOPIC_PREFIX ?? ""),
      );
      const metadata = await admin.fetchTopicMetadata({ topics });
      const [config] = (
        await admin.describeConfigs({
          resources: [{ type: 2, name: topics[0] ?? "" }],
          includeSynonyms: false,
        })
      ).resources;
      await admin.disconnect();
      // the app created its topics replicated on all three, writes needing two copies
      expect(metadata.topics.flatMap((topic) => topic.partitions.map((p) => p.replicas.length))).toEqual(
        metadata.topics.flatMap((topic) => topic.partitions.map(() => 3)),
      );
      expect(
        config?.configEntries.find((entry) => entry.configName === "min.insync.replicas")?.configValue,
      ).toBe("2");

      const leader = await quorumLeader();
      const broker = [1, 2, 3].find((node) => node !== leader) ?? 1;
      for (const [what, node] of [
        ["broker", broker],
        ["controller", leader],
      ] as const) {
        const killedAt = Date.now();
        const ackedBefore = load.report.acked.size;
        await killNode(node);
        await ackedAtLeast(ackedBefore + 1500);
        const restartedAt = Date.now();
        await startCluster();
        await waitForFullIsr(kafka, topics);
        figures.push({
          killed: what,
          node,
          ...window503(answers, killedAt),
          acknowledged_while_down: load.report.acked.size - ackedBefore,
          back_in_sync_s: Number(((Date.now() - restartedAt) / 1000).toFixed(1)),
        });
        expect(processor?.exitCode).toBeNull();
      }
    } finally {
      await load.stop();
    }
    const report = load.report;
    console.log(JSON.stringify({ cluster_failover: figures, statuses: report.statuses }));
    expect(Object.keys(report.statuses).filter((status) => status !== "202" && status !== "503")).toEqual([]);
    expect(report.abandoned).toBe(0);
    await expectExactlyOnce(db, [region], report, WINDOW_SIZES, 120_000).catch(async (error: unknown) => {
      const rows = await db<{ topic: string; partition: number; next_offset: string }[]>`
        select topic, partition, next_offset from consumer_offsets where group_id = ${env.PROCESSOR_GROUP_ID ?? ""}`;
      const stored = new Map(rows.map((row) => [`${row.topic}/${row.partition}`, Number(row.next_offset)]));
      const admin = kafka.admin();
      await admin.connect();
      const prefix = env.KAFKA_TOPIC_PREFIX ?? "";
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}events.`));
      const deadLetters = (await admin.fetchTopicOffsets(`${prefix}events.dead-letter`)).reduce(
        (sum, { high }) => sum + Number(high),
        0,
      );
      await admin.disconnect();
      const ids = await db<{ event_id: string }[]>`select event_id from raw_events where region = ${region}`;
      const have = new Set(ids.map((row) => row.event_id));
      const missing = [...report.acked].filter((id) => !have.has(id));
      console.error(
        JSON.stringify({
          acknowledged: report.acked.size,
          stored: have.size,
          missing: missing.length,
          missing_sample: missing.slice(0, 5),
          dead_letters: deadLetters,
          partitions_behind: await describeLag(kafka, stored, topics),
        }),
      );
      throw error;
    });
    await waitForZeroLag(db, kafka, env.PROCESSOR_GROUP_ID ?? "", env.KAFKA_TOPIC_PREFIX ?? "");
    expect(processor?.exitCode).toBeNull();
  });
});

/**
 * `npm run bench:cluster [-- --seconds 6 --rounds 3 --processes 1]`
 * Ingest on the local three-broker cluster (`kafka.sh start --brokers 3`): batched POST
 * /api/events with the event topics at replication factor 3 (min.insync.replicas 2) next to
 * the same app with topics at replication factor 1, on the same brokers, in interleaved rounds
 * of the same run; beside it, Kafka's own producer perf tool on a topic of each factor. Every
 * 202 means acks=all. Only 2xx answers count; any other answer or transport error is printed
 * and fails the run (exit 1).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createIngestKey } from "@/lib/services/auth/credentials";
import { closeDb } from "@/db/client";
import { createTraffic } from "@/lib/simulation/traffic";
import { countFailures, formatFailures, summarizeRounds, type LoadResult } from "./support/load-result";
import { ensureNextBuild, ROOT, sh, startNext, stop } from "./support/servers";
import { ensureWrk, runWrk } from "./support/wrk";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "6" },
    rounds: { type: "string", default: "3" },
    processes: { type: "string", default: "1" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const processes = Number(values.processes);
const runId = Date.now().toString(36);
const KAFKA_SH = "scripts/kafka/kafka.sh";
const thousands = (n: number) => Math.round(n).toLocaleString("en");

interface Target {
  rf: 1 | 3;
  port: number;
}
const targets: Target[] = [
  { rf: 1, port: 3311 },
  { rf: 3, port: 3313 },
];
const scenarios = [
  { name: "batch of 100", eventsPerRequest: 100, connections: 16 },
  { name: "batch of 500", eventsPerRequest: 500, connections: 16 },
];

/** Kafka's ProducerPerformance on a new topic of replication factor `rf`: records/s. */
async function producerPerf(brokers: string, rf: number, recordSize: number): Promise<number> {
  const topic = `bench-${runId}.perf-rf${rf}`;
  await sh("bash", [
    KAFKA_SH,
    "tool",
    "org.apache.kafka.tools.TopicCommand",
    "--bootstrap-server",
    brokers,
    "--create",
    "--topic",
    topic,
    "--partitions",
    "6",
    "--replication-factor",
    String(rf),
  ]);
  const out = await sh("bash", [
    KAFKA_SH,
    "perf-producer",
    "--topic",
    topic,
    "--num-records",
    "300000",
    "--record-size",
    String(recordSize),
    "--throughput",
    "-1",
    "--command-property",
    `bootstrap.servers=${brokers}`,
    "acks=all",
    "linger.ms=5",
    "batch.size=262144",
  ]);
  const line = out.trim().split("\n").pop() ?? "";
  console.log(`kafka perf-producer, RF ${rf}: ${line}`);
  return Number(/([\d.]+) records\/sec/.exec(line)?.[1] ?? Number.NaN);
}

async function main(): Promise<void> {
  await ensureWrk();
  const wasRunning = await sh("bash", [KAFKA_SH, "status", "--brokers", "3"]).then(
    () => true,
    () => false,
  );
  await sh("bash", [KAFKA_SH, "start", "--brokers", "3"]);
  const brokers = (await sh("bash", [KAFKA_SH, "brokers", "--brokers", "3"])).trim();
  const servers: ChildProcess[] = [];
  try {
    await ensureNextBuild(ROOT);
    await sh("npm", ["run", "--silent", "db:setup"]);
    const { key } = await createIngestKey({ projectId: "default", name: `bench cluster ${runId}` });
    const auth = { Authorization: `Bearer ${key}` };
    for (const target of targets) {
      servers.push(
        await startNext(
          ROOT,
          target.port,
          {
            LOG_LEVEL: "warn",
            KAFKA_BROKERS: brokers,
            KAFKA_REPLICATION_FACTOR: String(target.rf),
            KAFKA_TOPIC_PREFIX: `bench-${runId}-rf${target.rf}.`,
            REDIS_KEY_PREFIX: `bench-${runId}:`,
            RATE_LIMIT_PER_IP: "1000000",
            RATE_LIMIT_INGEST_PER_KEY: "1000000",
            AUTH_SECRET: `bench-auth-secret-${runId}-0123456789abcdefghij`,
            SECRETS_KEY: Buffer.alloc(32, 3).toString("base64"),
          },
          processes,
        ),
      );
    }
    const workDir = await mkdtemp(path.join(tmpdir(), "bench-cluster-"));
    const traffic = createTraffic({ seed: 1 });
    const failures: string[] = [];
    const rows: string[] = [];
    for (const scenario of scenarios) {
      const body = JSON.stringify(traffic.batch(scenario.eventsPerRequest));
      const options = { connections: scenario.connections, workDir, headers: auth };
      const runs = new Map<Target, LoadResult[]>(targets.map((target) => [target, []]));
      for (const target of targets) {
        const url = `http://127.0.0.1:${target.port}/api/events`;
        // a fresh topic's first produce waits for its leaders: one 202 before the timed load
        const deadline = Date.now() + 30_000;
        for (;;) {
          const response = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...auth },
            body,
          }).catch(() => undefined);
          if (response?.status === 202 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        const warmUp = countFailures([await runWrk(url, body, { seconds: 2, ...options })]);
        if (warmUp.size > 0)
          failures.push(`${scenario.name}, RF ${target.rf}, warm-up: ${formatFailures(warmUp)}`);
      }
      // interleaved, each round starting with the other one: a noisy moment hits both alike
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < targets.length; i++) {
          const target = targets[(round + i) % targets.length] as Target;
          const url = `http://127.0.0.1:${target.port}/api/events`;
          runs.get(target)?.push(await runWrk(url, body, { seconds, ...options }));
        }
      }
      const [one, three] = targets.map((target) => {
        const summary = summarizeRounds(runs.get(target) ?? [], scenario.eventsPerRequest);
        if (summary.failures.size > 0)
          failures.push(`${scenario.name}, RF ${target.rf}: ${formatFailures(summary.failures)}`);
        return summary;
      });
      if (!one || !three) continue;
      rows.push(
        [
          scenario.name.padEnd(13),
          thousands(one.eventsPerSecond).padStart(10),
          one.p99.toFixed(1).padStart(7),
          thousands(three.eventsPerSecond).padStart(10),
          three.p99.toFixed(1).padStart(7),
          (three.eventsPerSecond / one.eventsPerSecond).toFixed(2).padStart(9),
        ].join("  "),
      );
    }
    console.log("");
    console.log(
      `POST /api/events on a 3-broker cluster, answered 202 (acks=all); medians of ${rounds} rounds of ${seconds} s; web x${processes}`,
    );
    console.log(
      [
        "scenario     ",
        "RF 1 ev/s".padStart(10),
        "p99 ms",
        "RF 3 ev/s".padStart(10),
        "p99 ms",
        "RF3 / RF1",
      ].join("  "),
    );
    for (const row of rows) console.log(row);
    if (failures.length > 0) {
      console.error("");
      for (const failure of failures) console.error(`  ${failure}`);
      console.error(
        "FAILED: the requests above were not answered 2xx; they are not counted. Rerun on a healthy stack.",
      );
      process.exitCode = 1;
    }
    const recordSize = 400;
    const perf1 = await producerPerf(brokers, 1, recordSize);
    const perf3 = await producerPerf(brokers, 3, recordSize);
    console.log(
      `Kafka producer perf tool (${recordSize} B records, acks=all): RF 1 ${thousands(perf1)} records/s, RF 3 ${thousands(perf3)} records/s, RF3 / RF1 ${(perf3 / perf1).toFixed(2)}`,
    );
  } finally {
    for (const server of servers) await stop(server);
    if (!wasRunning) await sh("bash", [KAFKA_SH, "stop", "--brokers", "3"]);
    await closeDb();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

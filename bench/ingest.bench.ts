/**
 * `npm run bench:ingest [-- --seconds 8 --rounds 3 --processes 2]`
 * Batched POST /api/events at 100 and 500 events per request, and single-event POSTs, each
 * acknowledged by Kafka, with the web app run as `--processes` processes (WEB_PROCESSES);
 * next to, in the same run, a trivial Next.js route handler (parse the body, answer 202) as
 * one `next start` (the baseline) and as the same number of processes, and Kafka's
 * own producer perf tool. Prints medians and ratios.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createTraffic } from "@/lib/simulation/traffic";
import { ensureNextBuild, ROOT, sh, startNext, stop } from "./support/servers";
import { median, runWrk, type LoadResult } from "./support/wrk";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    processes: { type: "string", default: "2" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const processes = Number(values.processes);
const runId = Date.now().toString(36);
const REAL_PORT = 3301;
const TRIVIAL_PORT = 3302;
const TRIVIAL_SAME_PORT = 3303;

async function ensureWrk(): Promise<void> {
  try {
    await sh("wrk", ["--version"]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return; // wrk --version exits 1
    console.log("installing wrk (Debian package) ...");
    await sh("apt-get", ["install", "-y", "-qq", "wrk"]);
  }
}

interface Scenario {
  name: string;
  eventsPerRequest: number;
  connections: number;
}

const scenarios: Scenario[] = [
  { name: "batch of 100", eventsPerRequest: 100, connections: 16 },
  { name: "batch of 500", eventsPerRequest: 500, connections: 16 },
  { name: "single event", eventsPerRequest: 1, connections: 32 },
];

function summarize(results: LoadResult[], eventsPerRequest: number) {
  return {
    eventsPerSecond: median(results.map((r) => r.requestsPerSecond * eventsPerRequest)),
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p50: median(results.map((r) => r.p50Ms)),
    p99: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

async function kafkaProducerBaseline(recordSize: number): Promise<number> {
  const topic = `bench-${runId}.perf`;
  await sh("bash", [
    "scripts/kafka/kafka.sh",
    "tool",
    "org.apache.kafka.tools.TopicCommand",
    "--bootstrap-server",
    "127.0.0.1:9092",
    "--create",
    "--topic",
    topic,
    "--partitions",
    "6",
    "--replication-factor",
    "1",
  ]);
  const out = await sh("bash", [
    "scripts/kafka/kafka.sh",
    "perf-producer",
    "--topic",
    topic,
    "--num-records",
    "1000000",
    "--record-size",
    String(recordSize),
    "--throughput",
    "-1",
    "--producer-props",
    "bootstrap.servers=127.0.0.1:9092",
    "acks=all",
    "linger.ms=5",
    "batch.size=262144",
  ]);
  const line = out.trim().split("\n").pop() ?? "";
  const match = /([\d.]+) records\/sec/.exec(line);
  console.log(`kafka perf-producer: ${line}`);
  return match ? Number(match[1]) : Number.NaN;
}

async function main(): Promise<void> {
  await ensureWrk();
  await sh("bash", ["scripts/kafka/kafka.sh", "start"]);
  await ensureNextBuild();
  const baselineDir = path.join(ROOT, "bench/baseline-app");
  await ensureNextBuild(baselineDir);
  const workDir = await mkdtemp(path.join(tmpdir(), "bench-ingest-"));
  const traffic = createTraffic({ seed: 1 });
  const sample = JSON.stringify({ ...traffic.next(), event_id: "01a2180b-4591-73d8-9c3c-a525fcf97262" });
  const env = {
    LOG_LEVEL: "warn",
    KAFKA_TOPIC_PREFIX: `bench-${runId}.`,
    REDIS_KEY_PREFIX: `bench-${runId}:`,
  };
  const real = await startNext(ROOT, REAL_PORT, env, processes);
  const trivial = await startNext(baselineDir, TRIVIAL_PORT, env, 1);
  const trivialSame =
    processes > 1 ? await startNext(baselineDir, TRIVIAL_SAME_PORT, env, processes) : undefined;
  const targets = [
    { name: "real", port: REAL_PORT },
    { name: "trivial", port: TRIVIAL_PORT },
    ...(trivialSame ? [{ name: "trivialSame", port: TRIVIAL_SAME_PORT }] : []),
  ];
  try {
    const rows: string[] = [];
    const figures: Record<string, Record<string, ReturnType<typeof summarize>>> = {};
    for (const scenario of scenarios) {
      const events = traffic.batch(scenario.eventsPerRequest);
      const body = JSON.stringify(scenario.eventsPerRequest === 1 ? events[0] : events);
      const options = { connections: scenario.connections, workDir };
      const runs: Record<string, LoadResult[]> = {};
      for (const target of targets) {
        // warm up (JIT, connections, topic metadata)
        await runWrk(`http://127.0.0.1:${target.port}/api/events`, body, { seconds: 2, ...options });
        runs[target.name] = [];
      }
      // rounds interleave the servers, so a noisy moment of the machine hits all of them
      for (let round = 0; round < rounds; round++) {
        for (const target of targets) {
          const url = `http://127.0.0.1:${target.port}/api/events`;
          runs[target.name]?.push(await runWrk(url, body, { seconds, ...options }));
        }
      }
      const summary = Object.fromEntries(
        targets.map((target) => [target.name, summarize(runs[target.name] ?? [], scenario.eventsPerRequest)]),
      );
      figures[scenario.name] = summary;
      const r = summary.real;
      const t = summary.trivial;
      const same = summary.trivialSame;
      if (!r || !t) continue;
      rows.push(
        [
          scenario.name.padEnd(13),
          Math.round(r.eventsPerSecond).toLocaleString("en").padStart(10),
          Math.round(r.requestsPerSecond).toLocaleString("en").padStart(8),
          r.p50.toFixed(1).padStart(7),
          r.p99.toFixed(1).padStart(7),
          Math.round(t.eventsPerSecond).toLocaleString("en").padStart(12),
          (r.eventsPerSecond / t.eventsPerSecond).toFixed(2).padStart(6),
          (same ? Math.round(same.eventsPerSecond).toLocaleString("en") : "-").padStart(12),
          (same ? (r.eventsPerSecond / same.eventsPerSecond).toFixed(2) : "-").padStart(6),
          String(r.errors).padStart(6),
        ].join("  "),
      );
      console.log(`${scenario.name}: done`);
    }
    const recordSize = Buffer.byteLength(sample) + 180; // enrichment adds ids, times, source
    const kafkaRate = await kafkaProducerBaseline(recordSize);
    console.log("");
    console.log(
      `POST /api/events, acknowledged by Kafka (acks=all), web app as ${processes} process(es); medians of ${rounds} runs of ${seconds}s`,
    );
    const sameHeader = processes > 1 ? `trivial x${processes} ev/s  ratio` : "           -       -";
    console.log(
      `scenario       events/s     req/s   p50 ms  p99 ms  trivial x1 ev/s  ratio  ${sameHeader}  errors`,
    );
    for (const row of rows) console.log(row);
    console.log("");
    console.log(
      `Kafka producer perf tool (record ${recordSize} B, acks=all): ${Math.round(kafkaRate).toLocaleString("en")} records/s`,
    );
    const b500 = figures["batch of 500"]?.real;
    if (b500) {
      console.log(`batch of 500 vs Kafka's own producer: ${(b500.eventsPerSecond / kafkaRate).toFixed(2)}`);
      console.log(
        `target >= 100,000 events/s at 500 per request: ${b500.eventsPerSecond >= 100_000 ? "met" : "NOT met"}`,
      );
    }
    for (const name of ["batch of 100", "batch of 500", "single event"]) {
      const f = figures[name];
      if (!f?.real || !f.trivial) continue;
      const ratio = f.real.eventsPerSecond / f.trivial.eventsPerSecond;
      console.log(
        `target >= 0.5 of the trivial handler (one next start), ${name}: ${ratio.toFixed(2)} ${ratio >= 0.5 ? "met" : "NOT met"}`,
      );
    }
  } finally {
    await stop(real);
    await stop(trivial);
    await stop(trivialSame);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

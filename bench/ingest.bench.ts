/**
 * `npm run bench:ingest [-- --seconds 8 --rounds 3 --processes 2]`
 * Batched POST /api/events at 100 and 500 events per request, and single-event POSTs, each
 * acknowledged by Kafka, with the web app run as `--processes` processes (WEB_PROCESSES).
 * Headline: its ratio to a trivial Next.js route handler (parse the body, answer 202) run as
 * the same number of processes, driven by the same wrk with the same connections, in the same
 * run. Beside it, not the headline: the trivial handler as one process, and Kafka's own
 * producer perf tool. Only requests answered 2xx count; any other answer or transport error
 * fails the benchmark (exit 1) after printing what failed.
 * `--only single|100|500` (repeatable): run only those scenarios (the Kafka perf-tool baseline
 * runs only with the batch of 500).
 * `--base REV`: also runs that revision's build (bench/support/base-build.ts) as the same
 * number of processes, and prints the app against it: the cost of a change, measured in one run.
 * `--together` (with `--base`): also runs the app and the base at the same time, each with its
 * own wrk and the scenario's connections, `--rounds` times. Both then see the machine in the
 * same seconds, so the drift that moves back-to-back rounds on a 2-core machine by ±15 % moves
 * both alike; they share the cores as the scheduler shares them between runnable processes,
 * and the one whose requests cost less CPU answers more of them. Printed: the median over
 * rounds of app / base, throughput and web CPU per 2xx request, and that CPU by thread: the
 * JavaScript thread, and V8's helper threads (parallel scavenges, concurrent marking, compiling).
 * Requests carry an ingest key (made in the bench's database); a base without keys ignores it.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { ChildProcess } from "node:child_process";
import { createTraffic } from "@/lib/simulation/traffic";
import {
  cpuSeconds,
  cpuSecondsByThreadKind,
  processesMatching,
  processTree,
  type ThreadKind,
} from "./support/cpu-usage";
import {
  countFailures,
  median,
  successfulRequests,
  formatFailures,
  summarizeRounds,
  type LoadResult,
  type RoundsSummary,
} from "./support/load-result";
import { ensureNextBuild, ROOT, sh, startNext, stop } from "./support/servers";
import { createIngestKey } from "@/lib/services/auth/credentials";
import { closeDb } from "@/db/client";
import { prepareBaseBuild } from "./support/base-build";
import { ensureWrk, runWrk } from "./support/wrk";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    processes: { type: "string", default: "2" },
    base: { type: "string" },
    only: { type: "string", multiple: true },
    together: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const processes = Number(values.processes);
const runId = Date.now().toString(36);

interface Scenario {
  name: string;
  eventsPerRequest: number;
  connections: number;
}

const allScenarios: (Scenario & { flag: string })[] = [
  { name: "batch of 100", flag: "100", eventsPerRequest: 100, connections: 16 },
  { name: "batch of 500", flag: "500", eventsPerRequest: 500, connections: 16 },
  { name: "single event", flag: "single", eventsPerRequest: 1, connections: 32 },
];
const scenarios: Scenario[] = values.only
  ? allScenarios.filter((scenario) => values.only?.includes(scenario.flag))
  : allScenarios;
if (scenarios.length === 0) throw new Error(`--only takes ${allScenarios.map((s) => s.flag).join(", ")}`);

interface Target {
  label: string;
  dir: string;
  port: number;
  processes: number;
  /** the server's process (its web processes are its descendants), once started */
  pid?: number;
}

const APP: Target = { label: `app x${processes}`, dir: ROOT, port: 3301, processes };
// the headline's baseline: as many processes as the app
const TRIVIAL: Target = {
  label: `trivial x${processes}`,
  dir: path.join(ROOT, "bench/baseline-app"),
  port: 3302,
  processes,
};
// printed beside the headline, never as it
const TRIVIAL_ONE: Target | undefined =
  processes > 1 ? { ...TRIVIAL, label: "trivial x1", port: 3303, processes: 1 } : undefined;
const BASE: Target | undefined = values.base
  ? { label: `base x${processes}`, dir: "", port: 3304, processes }
  : undefined;
const targets = [APP, TRIVIAL, ...(TRIVIAL_ONE ? [TRIVIAL_ONE] : []), ...(BASE ? [BASE] : [])];
/** The Authorization header of every request (set once the key is made). */
const auth: Record<string, string> = {};

/** One request before the load: a target that does not accept every event fails at once. */
async function checkAnswer(target: Target, body: string, eventsPerRequest: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${target.port}/api/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...auth },
    body,
  });
  const text = await response.text();
  const accepted = response.ok ? (JSON.parse(text) as { accepted?: unknown }).accepted : undefined;
  if (accepted !== eventsPerRequest)
    throw new Error(
      `${target.label} answered ${response.status} ${text.slice(0, 300)} to a request of ${eventsPerRequest} event(s); expected 2xx accepting all of them`,
    );
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

const thousands = (n: number) => Math.round(n).toLocaleString("en");

/** Warm-up and interleaved rounds of one scenario against every target. */
/** CPU milliseconds per 2xx request of one round: the target's processes, and the broker's. */
interface CpuPerRequest {
  web: number;
  broker: number;
}

/** One wrk round against `target`, with the CPU its processes and the broker used meanwhile. */
async function measureRound(
  target: Target,
  body: string,
  options: Parameters<typeof runWrk>[2],
): Promise<{ load: LoadResult; cpu: CpuPerRequest }> {
  const web = target.pid === undefined ? [] : processTree(target.pid);
  const broker = processesMatching("kafka.Kafka");
  const [web0, broker0] = [cpuSeconds(web), cpuSeconds(broker)];
  const load = await runWrk(`http://127.0.0.1:${target.port}/api/events`, body, options);
  const ok = Math.max(1, successfulRequests(load));
  return {
    load,
    cpu: {
      web: ((cpuSeconds(web) - web0) * 1000) / ok,
      broker: ((cpuSeconds(broker) - broker0) * 1000) / ok,
    },
  };
}

async function measure(
  scenario: Scenario,
  body: string,
  workDir: string,
): Promise<{
  summaries: Map<Target, RoundsSummary>;
  cpu: Map<Target, CpuPerRequest>;
  /** each target's rounds in order: round i of two targets ran one after the other */
  rounds: Map<Target, { load: LoadResult; cpu: CpuPerRequest }[]>;
  failures: string[];
}> {
  const options = { connections: scenario.connections, workDir, headers: auth };
  const runs = new Map<Target, LoadResult[]>();
  const cpuRuns = new Map<Target, CpuPerRequest[]>();
  const failures: string[] = [];
  for (const target of targets) {
    await checkAnswer(target, body, scenario.eventsPerRequest);
    // warm up (JIT, connections, topic metadata); its failures fail the run too
    const url = `http://127.0.0.1:${target.port}/api/events`;
    const warmUp = countFailures([await runWrk(url, body, { seconds: 2, ...options })]);
    if (warmUp.size > 0)
      failures.push(`${scenario.name}, ${target.label}, warm-up: ${formatFailures(warmUp)}`);
    runs.set(target, []);
    cpuRuns.set(target, []);
  }
  // rounds interleave the servers, each round starting with the next one, so a noisy moment
  // of the machine hits all of them alike
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length] as Target;
      const { load, cpu } = await measureRound(target, body, { seconds, ...options });
      runs.get(target)?.push(load);
      cpuRuns.get(target)?.push(cpu);
    }
  }
  const summaries = new Map<Target, RoundsSummary>();
  const cpu = new Map<Target, CpuPerRequest>();
  for (const target of targets) {
    const perRound = cpuRuns.get(target) ?? [];
    cpu.set(target, {
      web: median(perRound.map((c) => c.web)),
      broker: median(perRound.map((c) => c.broker)),
    });
    const summary = summarizeRounds(runs.get(target) ?? [], scenario.eventsPerRequest);
    summaries.set(target, summary);
    if (summary.failures.size > 0)
      failures.push(`${scenario.name}, ${target.label}: ${formatFailures(summary.failures)}`);
  }
  const inOrder = new Map(
    targets.map((target) => {
      const loads = runs.get(target) ?? [];
      const cpus = cpuRuns.get(target) ?? [];
      return [target, loads.map((load, i) => ({ load, cpu: cpus[i] as CpuPerRequest }))] as const;
    }),
  );
  return { summaries, cpu, rounds: inOrder, failures };
}

/**
 * `--together`: rounds in which the app and the base are driven at the same time (see the
 * header). Each round's ratios: app / base throughput (2xx requests a second) and web CPU per
 * 2xx request, both measured over the same seconds.
 */
async function measureTogether(
  scenario: Scenario,
  body: string,
  workDir: string,
  base: Target,
): Promise<{
  throughput: number[];
  cpu: number[];
  byThread: Map<ThreadKind, { ratios: number[]; app: number[]; base: number[] }>;
  failures: string[];
}> {
  const throughput: number[] = [];
  const cpu: number[] = [];
  // per kind: app / base each round, and each one's ms per request
  const byThread = new Map<ThreadKind, { ratios: number[]; app: number[]; base: number[] }>();
  const failures: string[] = [];
  const pair = [APP, base] as const;
  for (let round = 0; round < rounds; round++) {
    const trees = pair.map((target) => (target.pid === undefined ? [] : processTree(target.pid)));
    const before = trees.map((tree) => cpuSeconds(tree));
    const threadsBefore = trees.map((tree) => cpuSecondsByThreadKind(tree));
    const loads = await Promise.all(
      pair.map((target, i) =>
        runWrk(`http://127.0.0.1:${target.port}/api/events`, body, {
          seconds,
          connections: scenario.connections,
          workDir,
          headers: auth,
          tag: `together${i}-`,
        }),
      ),
    );
    const ok = loads.map((load) => Math.max(1, successfulRequests(load)));
    const cpuPerRequest = trees.map(
      (tree, i) => ((cpuSeconds(tree) - (before[i] ?? 0)) * 1000) / (ok[i] ?? 1),
    );
    const rate = (i: number) => (ok[i] ?? 0) / (loads[i]?.seconds || seconds);
    throughput.push(rate(0) / rate(1));
    cpu.push((cpuPerRequest[0] ?? 0) / (cpuPerRequest[1] ?? 1));
    // the same ratio per kind of thread: the JavaScript thread, or V8's GC and compiler helpers
    const threadsAfter = trees.map((tree) => cpuSecondsByThreadKind(tree));
    const perRequest = (i: number, kind: ThreadKind) =>
      ((threadsAfter[i]?.get(kind) ?? 0) - (threadsBefore[i]?.get(kind) ?? 0)) / (ok[i] ?? 1);
    for (const kind of ["javascript", "v8 helpers"] as const) {
      const figures = byThread.get(kind) ?? { ratios: [], app: [], base: [] };
      figures.ratios.push(perRequest(0, kind) / Math.max(perRequest(1, kind), Number.EPSILON));
      figures.app.push(perRequest(0, kind) * 1000);
      figures.base.push(perRequest(1, kind) * 1000);
      byThread.set(kind, figures);
    }
    loads.forEach((load, i) => {
      const failed = countFailures([load]);
      if (failed.size > 0)
        failures.push(`${scenario.name}, ${pair[i]?.label} (together): ${formatFailures(failed)}`);
    });
  }
  return { throughput, cpu, byThread, failures };
}

/**
 * The median over rounds of app / base within each round (throughput, and web CPU per request),
 * each round's two runs back to back: a paired figure, steadier than the ratio of the medians
 * when the machine's speed drifts during the run.
 */
function pairedRatios(
  app: { load: LoadResult; cpu: CpuPerRequest }[],
  base: { load: LoadResult; cpu: CpuPerRequest }[],
): { throughput: number; cpu: number } {
  const pairs = app.slice(0, base.length).map((ours, i) => [ours, base[i]] as const);
  const rate = (run: { load: LoadResult }) => successfulRequests(run.load) / run.load.seconds;
  return {
    throughput: median(pairs.map(([ours, theirs]) => (theirs ? rate(ours) / rate(theirs) : Number.NaN))),
    cpu: median(pairs.map(([ours, theirs]) => (theirs ? ours.cpu.web / theirs.cpu.web : Number.NaN))),
  };
}

function printTable(figures: Map<Scenario, Map<Target, RoundsSummary>>): void {
  console.log(
    `POST /api/events answered 2xx (the app's 202: acknowledged by Kafka, acks=all); medians of ${rounds} rounds of ${seconds} s;`,
  );
  console.log(
    `only 2xx answers count. Headline: ${APP.label} against ${TRIVIAL.label}, same wrk, same connections.`,
  );
  console.log(
    [
      "scenario     ",
      `${APP.label} ev/s`.padStart(12),
      "   req/s",
      " p50 ms",
      " p99 ms",
      `${TRIVIAL.label} ev/s`.padStart(17),
      " ratio",
      "  |",
      `not headline: ${TRIVIAL_ONE ? `${TRIVIAL_ONE.label} ev/s` : "-"}`.padStart(30),
      `${APP.label} / ${TRIVIAL_ONE?.label ?? "-"}`.padStart(21),
      "  failed",
    ].join("  "),
  );
  for (const [scenario, summaries] of figures) {
    const app = summaries.get(APP);
    const trivial = summaries.get(TRIVIAL);
    const one = TRIVIAL_ONE && summaries.get(TRIVIAL_ONE);
    if (!app || !trivial) continue;
    const failed = [...summaries.values()].reduce(
      (sum, s) => sum + [...s.failures.values()].reduce((a, b) => a + b, 0),
      0,
    );
    console.log(
      [
        scenario.name.padEnd(13),
        thousands(app.eventsPerSecond).padStart(12),
        thousands(app.requestsPerSecond).padStart(8),
        app.p50.toFixed(1).padStart(7),
        app.p99.toFixed(1).padStart(7),
        thousands(trivial.eventsPerSecond).padStart(17),
        (app.eventsPerSecond / trivial.eventsPerSecond).toFixed(2).padStart(6),
        "  |",
        (one ? thousands(one.eventsPerSecond) : "-").padStart(30),
        (one ? (app.eventsPerSecond / one.eventsPerSecond).toFixed(2) : "-").padStart(21),
        String(failed).padStart(8),
      ].join("  "),
    );
  }
}

function printCpuTable(figures: Map<Scenario, Map<Target, CpuPerRequest>>): void {
  console.log("");
  console.log(
    "CPU time per 2xx request, ms (user + system, medians of the rounds; web: the target's processes, broker: the Kafka broker meanwhile):",
  );
  console.log(["scenario     ", ...targets.map((t) => `${t.label} web / broker`.padStart(34))].join("  "));
  for (const [scenario, byTarget] of figures) {
    const cells = targets.map((target) => {
      const cpu = byTarget.get(target);
      return (cpu ? `${cpu.web.toFixed(3)} / ${cpu.broker.toFixed(3)}` : "-").padStart(34);
    });
    console.log([scenario.name.padEnd(13), ...cells].join("  "));
  }
  if (!BASE) return;
  for (const [scenario, byTarget] of figures) {
    const app = byTarget.get(APP);
    const base = byTarget.get(BASE);
    if (app && base)
      console.log(
        `web CPU per request, ${APP.label} / ${BASE.label}, ${scenario.name}: ${app.web.toFixed(3)} / ${base.web.toFixed(3)} ms = ${(app.web / base.web).toFixed(3)}`,
      );
  }
}

async function main(): Promise<void> {
  // every target runs on this runtime (the servers are started with process.execPath)
  console.log(`node ${process.version}`);
  await ensureWrk();
  await sh("bash", ["scripts/kafka/kafka.sh", "start"]);
  await ensureNextBuild(APP.dir);
  await ensureNextBuild(TRIVIAL.dir);
  if (BASE && values.base) {
    const base = await prepareBaseBuild(values.base);
    BASE.dir = base.dir;
    BASE.label = `base ${base.commit} x${processes}`;
  }
  await sh("npm", ["run", "--silent", "db:setup"]);
  const { key } = await createIngestKey({ projectId: "default", name: `bench ${runId}` });
  auth.Authorization = `Bearer ${key}`;
  const workDir = await mkdtemp(path.join(tmpdir(), "bench-ingest-"));
  const traffic = createTraffic({ seed: 1 });
  const sample = JSON.stringify({ ...traffic.next(), event_id: "01a2180b-4591-73d8-9c3c-a525fcf97262" });
  const env = {
    LOG_LEVEL: "warn",
    KAFKA_TOPIC_PREFIX: `bench-${runId}.`,
    REDIS_KEY_PREFIX: `bench-${runId}:`,
    // the load comes from one address with one key, far above the default limits: the limiter
    // is still consulted on every request (its cost is measured), it just never refuses
    RATE_LIMIT_PER_IP: "1000000",
    RATE_LIMIT_INGEST_PER_KEY: "1000000",
    AUTH_SECRET: `bench-auth-secret-${runId}-0123456789abcdefghij`,
    SECRETS_KEY: Buffer.alloc(32, 3).toString("base64"),
  };
  const servers: ChildProcess[] = [];
  try {
    for (const target of targets) {
      const server = await startNext(target.dir, target.port, env, target.processes);
      servers.push(server);
      target.pid = server.pid;
    }
    const figures = new Map<Scenario, Map<Target, RoundsSummary>>();
    const cpuFigures = new Map<Scenario, Map<Target, CpuPerRequest>>();
    const roundFigures = new Map<Scenario, Map<Target, { load: LoadResult; cpu: CpuPerRequest }[]>>();
    const failures: string[] = [];
    const togetherFigures = new Map<Scenario, Awaited<ReturnType<typeof measureTogether>>>();
    for (const scenario of scenarios) {
      const events = traffic.batch(scenario.eventsPerRequest);
      const body = JSON.stringify(scenario.eventsPerRequest === 1 ? events[0] : events);
      const measured = await measure(scenario, body, workDir);
      if (values.together && BASE) {
        const together = await measureTogether(scenario, body, workDir, BASE);
        togetherFigures.set(scenario, together);
        measured.failures.push(...together.failures);
      }
      figures.set(scenario, measured.summaries);
      cpuFigures.set(scenario, measured.cpu);
      roundFigures.set(scenario, measured.rounds);
      failures.push(...measured.failures);
      console.log(`${scenario.name}: done`);
    }
    console.log("");
    printTable(figures);
    printCpuTable(cpuFigures);
    if (failures.length > 0) {
      console.error("");
      for (const failure of failures) console.error(`  ${failure}`);
      console.error(
        "FAILED: the requests above were answered non-2xx or hit transport errors. They are not counted as throughput, but this run is no measurement: rerun it on a healthy stack.",
      );
      process.exitCode = 1;
      return;
    }
    const b500 = [...figures].find(([scenario]) => scenario.eventsPerRequest === 500)?.[1].get(APP);
    if (b500) {
      const recordSize = Buffer.byteLength(sample) + 180; // enrichment adds ids, times, source
      const kafkaRate = await kafkaProducerBaseline(recordSize);
      console.log(
        `Kafka producer perf tool (record ${recordSize} B, acks=all): ${thousands(kafkaRate)} records/s`,
      );
      console.log(`batch of 500 vs Kafka's own producer: ${(b500.eventsPerSecond / kafkaRate).toFixed(2)}`);
      console.log(
        `target >= 100,000 events/s at 500 per request: ${b500.eventsPerSecond >= 100_000 ? "met" : "NOT met"}`,
      );
    }
    for (const [scenario, summaries] of figures) {
      const app = summaries.get(APP);
      const base = BASE && summaries.get(BASE);
      if (app && base && BASE) {
        const ratio = app.eventsPerSecond / base.eventsPerSecond;
        const paired = pairedRatios(
          roundFigures.get(scenario)?.get(APP) ?? [],
          roundFigures.get(scenario)?.get(BASE) ?? [],
        );
        console.log(
          `${APP.label} / ${BASE.label}, ${scenario.name}: ${thousands(app.eventsPerSecond)} / ${thousands(base.eventsPerSecond)} ev/s = ${ratio.toFixed(3)} (p50 ${app.p50.toFixed(1)} / ${base.p50.toFixed(1)} ms); paired by round: throughput ${paired.throughput.toFixed(3)}, web CPU per request ${paired.cpu.toFixed(3)}`,
        );
      }
    }
    for (const [scenario, together] of togetherFigures) {
      const list = (ratios: number[]) => ratios.map((ratio) => ratio.toFixed(3)).join(" ");
      console.log(
        `${APP.label} / ${BASE?.label}, ${scenario.name}, run together (${rounds} rounds of ${seconds} s): throughput ${median(together.throughput).toFixed(3)} (rounds: ${list(together.throughput)}), web CPU per request ${median(together.cpu).toFixed(3)} (rounds: ${list(together.cpu)})`,
      );
      const threads = [...together.byThread]
        .map(
          ([kind, { ratios, app, base }]) =>
            `${kind} ${median(ratios).toFixed(3)} (${median(app).toFixed(3)} / ${median(base).toFixed(3)} ms; rounds: ${list(ratios)})`,
        )
        .join("; ");
      console.log(
        `  the same rounds, web CPU per request by thread, ${APP.label} / ${BASE?.label}: ${threads}`,
      );
    }
    for (const [scenario, summaries] of figures) {
      const app = summaries.get(APP);
      const trivial = summaries.get(TRIVIAL);
      if (!app || !trivial) continue;
      const ratio = app.eventsPerSecond / trivial.eventsPerSecond;
      console.log(
        `target >= 0.5 of the trivial handler at equal process counts (${APP.label} / ${TRIVIAL.label}), ${scenario.name}: ${ratio.toFixed(2)} ${ratio >= 0.5 ? "met" : "NOT met"}`,
      );
    }
  } finally {
    for (const server of servers) await stop(server);
    // the pool that made the key would keep the process alive after the figures
    await closeDb();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

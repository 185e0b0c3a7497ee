/**
 * `npm run bench:pipeline [-- --events 300000]`
 * Produces a fixed number of events straight into Kafka, then starts one processor and
 * measures its sustained rate until the lag is zero (events persisted and aggregated per
 * second) and its RSS. Baselines in the same run: Kafka's consumer perf tool over the same
 * topics, and PostgreSQL COPY of the same rows into an identical table. No rate is printed
 * unless stored = aggregated = sent (exit 1 with the three counts otherwise).
 * Uses its own database (analytics_bench) and topic prefix.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import postgres from "postgres";
import { enrichEvent, sourceOf, toWireEvent } from "@/lib/events/enrich";
import { topicForType } from "@/lib/events/routing";
import type { OutgoingMessage } from "@/lib/kafka/batcher";
import { packEvents } from "@/lib/kafka/records";
import { waitForTopics } from "@/lib/kafka/supervised-consumer";
import type { EnrichedEvent } from "@/lib/events/schema";
import { createTraffic } from "@/lib/simulation/traffic";
import { checkPipelineCounts, type PipelineCounts } from "./support/pipeline-counts";
import { sh, startWorker, stop } from "./support/servers";

const { values } = parseArgs({
  options: { events: { type: "string", default: "300000" }, profile: { type: "boolean", default: false } },
});
const TOTAL = Number(values.events);
const TYPES = ["page_view", "click", "purchase", "signup", "error"];
const runId = Date.now().toString(36);
const prefix = `benchp-${runId}.`;
const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/analytics_bench";
let eventsPerRecord = 1;
let recordsProduced = 0;
const kafka = new Kafka({ clientId: "bench", brokers: ["127.0.0.1:9092"], logLevel: logLevel.NOTHING });

const WINDOW_SECONDS = 300;
// the run's events are told apart in raw_events by their correlation id
const context = {
  receivedAt: Date.now(),
  correlationId: `benchp-${runId}`,
  userAgent: "bench",
  projectId: "default",
};

function makeEvents(): EnrichedEvent[] {
  const traffic = createTraffic({ seed: 3, types: [...TYPES, "search"] });
  const now = context.receivedAt;
  return Array.from({ length: TOTAL }, (_, i) =>
    enrichEvent(
      { input: traffic.next(), timestamp: now - 60_000 + Math.floor((i / TOTAL) * 55_000) },
      context,
    ),
  );
}

/** The event as the ingest route would have produced it (its record form). */
function toWire(event: EnrichedEvent) {
  const { event_id, event_type, user_id, session_id, region, value, properties, timestamp } = event;
  return toWireEvent(
    {
      input: { event_id, event_type, user_id, session_id, region, value, properties },
      timestamp,
    },
    event.received_at,
  );
}

async function produce(events: EnrichedEvent[]): Promise<number> {
  const producers = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    }),
  );
  const started = performance.now();
  const chunks: EnrichedEvent[][] = [];
  // Requests of 500 events, packed into records exactly as POST /api/events writes them.
  for (let i = 0; i < events.length; i += 500) chunks.push(events.slice(i, i + 500));
  let next = 0;
  let records = 0;
  await Promise.all(
    producers.map(async (producer) => {
      for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
        const packed = packEvents(
          chunk.map(toWire),
          (event) => topicForType(event.event_type, { prefix, eventTypes: TYPES }),
          () => 6,
          {
            correlationId: context.correlationId,
            receivedAt: context.receivedAt,
            source: sourceOf(context),
            projectId: "default",
          },
        );
        records += packed.length;
        const byTopic = new Map<string, OutgoingMessage[]>();
        for (const record of packed)
          byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      }
    }),
  );
  eventsPerRecord = events.length / records;
  recordsProduced = records;
  await Promise.all(producers.map((producer) => producer.disconnect()));
  return performance.now() - started;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function runProcessor(
  sql: postgres.Sql,
): Promise<{ seconds: number; peakRss: number; steadyRss: number }> {
  const env = {
    DATABASE_URL,
    KAFKA_TOPIC_PREFIX: prefix,
    PROCESSOR_GROUP_ID: `benchp-${runId}`,
    REDIS_KEY_PREFIX: `benchp-${runId}:`,
    EVENT_TYPES: TYPES.join(","),
    LOG_LEVEL: "warn",
    METRICS_PORT: "0",
  };
  const child = startWorker(
    "processor",
    env,
    values.profile ? ["--cpu-prof", "--cpu-prof-dir=.local/prof"] : [],
  );
  const pid = child.pid ?? 0;
  const rss: number[] = [];
  let firstAt: number | undefined;
  let doneAt: number | undefined;
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    rss.push(rssMiB(pid));
    // Progress from the offsets the processor stores with each batch: a count(*) over
    // raw_events every 250 ms would itself cost PostgreSQL a large share of a core.
    const [row] = await sql<{ n: string | null }[]>`
      select sum(next_offset) as n from consumer_offsets where group_id = ${env.PROCESSOR_GROUP_ID}`;
    const consumed = Number(row?.n ?? 0);
    if (consumed > 0 && firstAt === undefined) firstAt = performance.now();
    if (consumed >= recordsProduced) {
      doneAt = performance.now();
      break;
    }
  }
  child.kill("SIGINT");
  await stop(child);
  if (firstAt === undefined || doneAt === undefined)
    throw new Error("the processor did not finish in 15 minutes");
  const steady = rss.slice(Math.floor(rss.length / 2));
  return {
    seconds: (doneAt - firstAt) / 1000,
    peakRss: Math.max(...rss),
    steadyRss: steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length),
  };
}

/** The run's events in raw_events and in the aggregations of one window size. */
async function countStoredAndAggregated(sql: postgres.Sql, events: EnrichedEvent[]): Promise<PipelineCounts> {
  // not Math.min(...times): 300,000 arguments overflow the stack
  const first = events.reduce((min, event) => Math.min(min, event.timestamp), Infinity);
  const last = events.reduce((max, event) => Math.max(max, event.timestamp), -Infinity);
  const windowMs = WINDOW_SECONDS * 1000;
  const from = new Date(Math.floor(first / windowMs) * windowMs);
  const to = new Date(last);
  const [row] = await sql<{ stored: string; aggregated: string; by_type: string }[]>`
    select
      (select count(*) from raw_events where correlation_id = ${context.correlationId}) as stored,
      (select coalesce(sum(event_count), 0) from aggregations
        where window_seconds = ${WINDOW_SECONDS} and window_start between ${from} and ${to}
          and event_type = '*' and region = '*') as aggregated,
      (select coalesce(sum(event_count), 0) from aggregations
        where window_seconds = ${WINDOW_SECONDS} and window_start between ${from} and ${to}
          and event_type <> '*' and region = '*') as by_type`;
  return {
    sent: events.length,
    stored: Number(row?.stored ?? 0),
    aggregated: Number(row?.aggregated ?? 0),
    aggregatedByType: Number(row?.by_type ?? 0),
  };
}

async function copyBaseline(sql: postgres.Sql, events: EnrichedEvent[]): Promise<number> {
  await sql`drop table if exists bench_copy`;
  await sql`create table bench_copy (like raw_events including defaults including indexes)`;
  const escape = (value: string | null) =>
    value === null ? "\\N" : value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
  const started = performance.now();
  const stream =
    await sql`copy bench_copy (event_id, event_time, event_type, region, user_id, session_id, value,
    properties, received_at, correlation_id, source) from stdin`.writable();
  for (let i = 0; i < events.length; i += 2000) {
    const lines = events
      .slice(i, i + 2000)
      .map((e) =>
        [
          e.event_id,
          new Date(e.timestamp).toISOString(),
          e.event_type,
          e.region ?? null,
          e.user_id ?? null,
          e.session_id ?? null,
          e.value === undefined ? null : String(e.value),
          e.properties ? JSON.stringify(e.properties) : null,
          new Date(e.received_at).toISOString(),
          e.correlation_id,
          JSON.stringify(e.source),
        ]
          .map(escape)
          .join("\t"),
      );
    if (!stream.write(lines.join("\n") + "\n")) await new Promise((resolve) => stream.once("drain", resolve));
  }
  await new Promise<void>((resolve, reject) => {
    stream.once("finish", resolve);
    stream.once("error", reject);
    stream.end();
  });
  const seconds = (performance.now() - started) / 1000;
  await sql`drop table bench_copy`;
  return events.length / seconds;
}

async function consumerPerfBaseline(): Promise<number> {
  const out = await sh("bash", [
    "scripts/kafka/kafka.sh",
    "perf-consumer",
    "--bootstrap-server",
    "127.0.0.1:9092",
    "--include",
    `${prefix.replace(/\./g, "\\.")}events\\..*`,
    "--num-records",
    String(recordsProduced),
    "--timeout",
    "60000",
    "--group",
    `benchp-perf-${runId}`,
  ]);
  const lines = out.trim().split("\n");
  const header = (lines.find((line) => line.includes("nMsg.sec")) ?? "").split(",").map((s) => s.trim());
  const data = (lines[lines.length - 1] ?? "").split(",").map((s) => s.trim());
  return Number(data[header.indexOf("nMsg.sec")]);
}

async function main(): Promise<void> {
  await sh("bash", ["scripts/kafka/kafka.sh", "start"]);
  await sh(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/db-setup.ts"], {
    DATABASE_URL,
  });
  const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => undefined });
  try {
    await sql`truncate raw_events, aggregations, consumer_offsets, partition_watermarks`;
    // retried: a broker that has just started may not answer topic creation yet
    await waitForTopics(
      kafka,
      [...TYPES, "other"].map((type) => `${prefix}events.${type}`),
      () => false,
    );
    const events = makeEvents();
    console.log(`producing ${TOTAL.toLocaleString("en")} events into Kafka ...`);
    const produceMs = await produce(events);
    console.log(`produced in ${(produceMs / 1000).toFixed(1)} s`);
    console.log("processing with one processor ...");
    const processed = await runProcessor(sql);
    const counts = await countStoredAndAggregated(sql, events);
    const mismatch = checkPipelineCounts(counts);
    if (mismatch) {
      console.error(
        `FAILED: stored = aggregated = sent does not hold (${WINDOW_SECONDS} s windows): ${mismatch}. No rate is printed for this run.`,
      );
      process.exitCode = 1;
      return;
    }
    const rate = TOTAL / processed.seconds;
    console.log("consumer perf tool and COPY baselines ...");
    const consumerRate = await consumerPerfBaseline();
    const copyRate = await copyBaseline(sql, events.slice(0, Math.min(TOTAL, 200_000)));
    console.log("");
    console.log(
      `events: sent ${TOTAL.toLocaleString("en")} = stored = aggregated (${WINDOW_SECONDS} s windows, "*" roll-up and per type)`,
    );
    console.log(
      `processor, end to end (persisted + aggregated): ${Math.round(rate).toLocaleString("en")} events/s over ${processed.seconds.toFixed(1)} s`,
    );
    console.log(
      `processor RSS: peak ${processed.peakRss.toFixed(0)} MiB, steady ${processed.steadyRss.toFixed(0)} MiB (target <= 512)`,
    );
    const consumerEvents = consumerRate * eventsPerRecord;
    console.log(
      `Kafka consumer perf tool: ${Math.round(consumerRate).toLocaleString("en")} records/s x ${eventsPerRecord.toFixed(1)} events per record = ${Math.round(consumerEvents).toLocaleString("en")} events/s   ratio ${(rate / consumerEvents).toFixed(2)}`,
    );
    console.log(
      `PostgreSQL COPY of the same rows: ${Math.round(copyRate).toLocaleString("en")} rows/s   ratio ${(rate / copyRate).toFixed(2)}`,
    );
    console.log(`target >= 50,000 events/s: ${rate >= 50_000 ? "met" : "NOT met"}`);
  } finally {
    await sql.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

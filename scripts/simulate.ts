/**
 * `npm run simulate -- --rate 2000 --duration 60 [--types a,b] [--regions x,y] [--batch 100]
 *   [--concurrency 4] [--url http://localhost:3000] [--spike purchase:10:20:30] [--key KEY]
 *   [--backfill 2d]`
 * Posts realistic batched traffic and reports accepted/failed counts and the achieved rate.
 * The ingest key: --key, else PULSE_INGEST_KEY, else the one `npm run up` keeps in .local/ingest-key.
 * --spike TYPE:FACTOR:START_S:DURATION_S multiplies TYPE's share of traffic by FACTOR for a while.
 * --backfill SPAN (90m, 6h, 2d, or seconds) first writes SPAN of history before now at --rate
 * events per second of event time, through the same POST /api/events with past timestamps, as
 * fast as the stack takes it; then the live traffic runs for --duration (0: history only).
 * With a backfill, the spike's START_S counts from the history's first second.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { EventInput } from "@/lib/events/schema";
import { createTraffic } from "@/lib/simulation/traffic";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    duration: { type: "string", default: "60" },
    types: { type: "string" },
    regions: { type: "string" },
    batch: { type: "string", default: "100" },
    concurrency: { type: "string", default: "4" },
    url: { type: "string", default: "http://localhost:3000" },
    spike: { type: "string" },
    seed: { type: "string", default: "7" },
    key: { type: "string" },
    backfill: { type: "string" },
  },
});

function ingestKey(): string {
  const keyFile = path.resolve(import.meta.dirname, "../.local/ingest-key");
  const key =
    values.key ??
    process.env.PULSE_INGEST_KEY ??
    (existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : "");
  if (!key) {
    console.error(
      "No ingest key: pass --key, set PULSE_INGEST_KEY, or run npm run up once (it makes .local/ingest-key)",
    );
    process.exit(2);
  }
  return key;
}
const authorization = `Bearer ${ingestKey()}`;

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number, got "${raw ?? ""}"`);
    process.exit(2);
  }
  return value;
}

/** "90m", "6h", "2d" or plain seconds, in milliseconds. */
function span(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(raw.trim());
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[match?.[2] ?? ""];
  const value = Number(match?.[1]);
  if (!match || unit === undefined || !(value > 0)) {
    console.error(`--backfill takes a span such as 90m, 6h or 2d, got "${raw}"`);
    process.exit(2);
  }
  return value * unit * 1000;
}

const rate = positive("rate", values.rate);
const backfillMs = values.backfill === undefined ? 0 : span(values.backfill);
const duration = backfillMs > 0 && values.duration === "0" ? 0 : positive("duration", values.duration);
const batchSize = Math.min(1000, Math.round(positive("batch", values.batch)));
const concurrency = Math.round(positive("concurrency", values.concurrency));
const list = (raw: string | undefined) =>
  raw
    ?.split(",")
    .map((part) => part.trim())
    .filter(Boolean);
const traffic = createTraffic({
  types: list(values.types),
  regions: list(values.regions),
  seed: Number(values.seed),
});

const spike = values.spike?.split(":");
const spikeType = spike?.[0];
const spikeFactor = Number(spike?.[1] ?? 1);
const spikeStart = Number(spike?.[2] ?? 0) * 1000;
const spikeEnd = spikeStart + Number(spike?.[3] ?? 0) * 1000;

const started = Date.now();
/** The history's first second: the spike's START_S counts from here. */
const origin = started - backfillMs;
let accepted = 0;
let failed = 0;
let requests = 0;
const statuses = new Map<number, number>();
let sent = 0;

function makeBatch(size: number, elapsed: number): EventInput[] {
  const events = traffic.batch(size);
  if (spikeType && elapsed >= spikeStart && elapsed < spikeEnd) {
    const extra = Math.round(size * (spikeFactor - 1) * 0.05);
    for (let i = 0; i < extra; i++) events.push({ ...traffic.next(), event_type: spikeType });
  }
  return events.slice(0, 1000);
}

async function post(events: EventInput[]): Promise<void> {
  requests++;
  try {
    const response = await fetch(`${values.url}/api/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: authorization },
      body: JSON.stringify(events),
    });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    await response.arrayBuffer();
    if (response.status === 202) accepted += events.length;
    else failed += events.length;
  } catch {
    failed += events.length;
    statuses.set(0, (statuses.get(0) ?? 0) + 1);
  }
}

/** The history's event time reached so far (ms): workers take the next slice from here, in order. */
let historyCursor = origin;
let backfilled = 0;

/** Sends [origin, started) of history at `rate` events per second of event time, oldest first. */
async function backfillWorker(): Promise<void> {
  const sliceMs = (batchSize / rate) * 1000;
  while (historyCursor < started) {
    const from = historyCursor;
    const to = Math.min(started, from + sliceMs);
    historyCursor = to;
    // the slice's share of events (a fraction carried as a chance, so the rate holds on average)
    const exact = ((to - from) / 1000) * rate;
    const size = Math.floor(exact) + (Math.random() < exact - Math.floor(exact) ? 1 : 0);
    if (size === 0) continue;
    const events = makeBatch(size, from - origin);
    events.forEach((event, i) => {
      event.timestamp = Math.floor(from + ((to - from) * i) / events.length);
    });
    backfilled += events.length;
    await post(events);
  }
}

async function worker(): Promise<void> {
  const liveStarted = Date.now();
  for (;;) {
    const elapsed = Date.now() - liveStarted;
    if (elapsed >= duration * 1000) return;
    // pace: the events sent so far should not run ahead of rate x elapsed
    const due = (sent / rate) * 1000 - elapsed;
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(due, 1000)));
    const events = makeBatch(batchSize, Date.now() - origin);
    sent += events.length;
    await post(events);
  }
}

const progress = setInterval(() => {
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${seconds.toFixed(0)}s accepted=${accepted} failed=${failed} rate=${(accepted / seconds).toFixed(0)}/s`,
  );
}, 5000);

if (backfillMs > 0) {
  console.log(
    `backfill: ${Math.round(backfillMs / 1000)} s of history at ${rate}/s (${Math.round((backfillMs / 1000) * rate)} events)`,
  );
  await Promise.all(Array.from({ length: concurrency }, () => backfillWorker()));
  console.log(`backfill done: ${backfilled} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
await Promise.all(Array.from({ length: concurrency }, () => worker()));
clearInterval(progress);
const seconds = (Date.now() - started) / 1000;
console.log(
  JSON.stringify({
    accepted,
    failed,
    backfilled,
    requests,
    seconds: Math.round(seconds * 10) / 10,
    achieved_rate: Math.round(accepted / seconds),
    statuses: Object.fromEntries(statuses),
  }),
);
process.exit(failed > 0 ? 1 : 0);

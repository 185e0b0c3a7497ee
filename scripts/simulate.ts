/**
 * `npm run simulate -- --rate 2000 --duration 60 [--types a,b] [--regions x,y] [--batch 100]
 *   [--concurrency 4] [--url http://localhost:3000] [--spike purchase:10:20:30]`
 * Posts realistic batched traffic and reports accepted/failed counts and the achieved rate.
 * --spike TYPE:FACTOR:START_S:DURATION_S multiplies TYPE's share of traffic by FACTOR for a while.
 */
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
  },
});

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number, got "${raw ?? ""}"`);
    process.exit(2);
  }
  return value;
}

const rate = positive("rate", values.rate);
const duration = positive("duration", values.duration);
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

async function worker(): Promise<void> {
  for (;;) {
    const elapsed = Date.now() - started;
    if (elapsed >= duration * 1000) return;
    // pace: the events sent so far should not run ahead of rate x elapsed
    const due = (sent / rate) * 1000 - elapsed;
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(due, 1000)));
    const events = makeBatch(batchSize, elapsed);
    sent += events.length;
    requests++;
    try {
      const response = await fetch(`${values.url}/api/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
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
}

const progress = setInterval(() => {
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${seconds.toFixed(0)}s accepted=${accepted} failed=${failed} rate=${(accepted / seconds).toFixed(0)}/s`,
  );
}, 5000);

await Promise.all(Array.from({ length: concurrency }, () => worker()));
clearInterval(progress);
const seconds = (Date.now() - started) / 1000;
console.log(
  JSON.stringify({
    accepted,
    failed,
    requests,
    seconds: Math.round(seconds * 10) / 10,
    achieved_rate: Math.round(accepted / seconds),
    statuses: Object.fromEntries(statuses),
  }),
);
process.exit(failed > 0 ? 1 : 0);

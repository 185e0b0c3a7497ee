/**
 * `npm run bench:route [-- --rounds 7]`
 * The ingest route's own CPU work, in one process, without HTTP or a broker: for a request of
 * 100 and of 500 events, the time to parse, validate and turn them into their record form
 * (`prepareEvents`), to pack them into Kafka records (`packEvents`), and for kafkajs to encode
 * them into a produce request (eight requests' records in one, as the micro-batcher sends
 * them). Baseline in the same run: `JSON.parse` of the same body, which is what the trivial
 * handler of `bench:ingest` does per event. Steadier than the end-to-end benchmark on a noisy
 * machine; use it to judge a change to the route's data path.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { topicForType } from "@/lib/events/routing";
import type { OutgoingMessage } from "@/lib/kafka/batcher";
import { packEvents, type RecordContext } from "@/lib/kafka/records";
import { prepareEvents } from "@/lib/services/events/ingest";
import { createTraffic } from "@/lib/simulation/traffic";
import { median } from "./support/wrk";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "7" } } });
const rounds = Number(values.rounds);
const TYPES = ["page_view", "click", "purchase", "signup", "error"];
const REQUESTS_PER_PRODUCE = 8;

// kafkajs's own request encoders (patched: patches/kafkajs+2.2.4.patch)
const require = createRequire(import.meta.url);
const produceRequest = require("kafkajs/src/protocol/requests/produce/v3/request.js") as (
  request: unknown,
) => { encode: () => Promise<{ size: () => number }> };
const Long = require("kafkajs/src/utils/long.js") as { fromInt: (value: number) => unknown };

/** Median microseconds per call of `work`, over `rounds` rounds of at least 200 ms each. */
async function time(work: () => unknown): Promise<number> {
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < 300) {
    await work();
    calls++;
  }
  const perRound = Math.max(5, Math.round((calls * 200) / (performance.now() - started)));
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) await work();
    samples.push(((performance.now() - t0) * 1000) / perRound);
  }
  return median(samples);
}

function prepare(body: string) {
  return prepareEvents({
    body,
    contentType: "application/json",
    receivedAt: Date.now(),
    correlationId: "bench-route",
    userAgent: "bench",
    projectId: "default",
  });
}

const context: RecordContext = {
  correlationId: "bench-route",
  receivedAt: Date.now(),
  source: { api_version: 1 },
  projectId: "default",
};
const pack = (body: string) =>
  packEvents(
    prepare(body),
    (event) => topicForType(event.event_type, { prefix: "", eventTypes: TYPES }),
    () => 6,
    context,
  );

/** The records of several requests grouped by topic and partition, as kafkajs's sendBatch does. */
function topicDataOf(records: OutgoingMessage[]) {
  const byTopic = new Map<string, Map<number, Omit<OutgoingMessage, "topic" | "partition">[]>>();
  for (const { topic, partition = 0, key, value, headers } of records) {
    let partitions = byTopic.get(topic);
    if (!partitions) byTopic.set(topic, (partitions = new Map()));
    let messages = partitions.get(partition);
    if (!messages) partitions.set(partition, (messages = []));
    messages.push({ key, value, headers });
  }
  return [...byTopic].map(([topic, partitions]) => ({
    topic,
    partitions: [...partitions].map(([partition, messages]) => ({ partition, firstSequence: 0, messages })),
  }));
}

async function main(): Promise<void> {
  const traffic = createTraffic({ seed: 1 });
  const rows: string[][] = [];
  for (const size of [100, 500]) {
    const body = JSON.stringify(traffic.batch(size));
    const parse = await time(() => JSON.parse(body));
    const prepared = await time(() => prepare(body));
    const packed = await time(() => pack(body));
    const topicData = topicDataOf(Array.from({ length: REQUESTS_PER_PRODUCE }, () => pack(body)).flat());
    const encode =
      (await time(() =>
        produceRequest({
          acks: -1,
          timeout: 30_000,
          producerId: Long.fromInt(1),
          producerEpoch: 0,
          topicData,
        }).encode(),
      )) / REQUESTS_PER_PRODUCE;
    const route = packed + encode;
    const row = (step: string, us: number) => [
      String(size),
      step,
      us.toFixed(0),
      ((us * 1000) / size).toFixed(0),
      (us / parse).toFixed(2),
    ];
    rows.push(
      row("JSON.parse (baseline)", parse),
      row("prepareEvents", prepared),
      row("+ packEvents", packed),
      row("kafkajs encode", encode),
      row("route total", route),
    );
  }
  console.log(`ingest route work per request, in-process; medians of ${rounds} rounds`);
  const header = ["events", "step", "us/request", "ns/event", "x JSON.parse"];
  const widths = [6, 22, 10, 9, 12];
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log(line(header));
  for (const cells of rows) console.log(line(cells));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

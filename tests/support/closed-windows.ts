import type { Kafka } from "kafkajs";
import type { ClosedWindow } from "@/lib/events/closed-window";

/** A closed window of one series as the processor would emit it; figures default to `count`. */
export function closedWindow(
  eventType: string,
  region: string,
  windowStartMs: number,
  count: number,
  windowSeconds = 300,
): ClosedWindow {
  return {
    window_start: new Date(windowStartMs).toISOString(),
    window_seconds: windowSeconds,
    event_type: eventType,
    region,
    count,
    distinct_users: Math.max(1, Math.round(count * 0.6)),
    value_count: 0,
    sum: null,
    avg: null,
    min: null,
    max: null,
    p50: null,
    p95: null,
    p99: null,
    closed_at: new Date(windowStartMs + windowSeconds * 1000).toISOString(),
  };
}

/** Produces windows to `<prefix>aggregations.closed`, keyed like the processor keys them. */
export async function produceClosedWindows(
  kafka: Kafka,
  prefix: string,
  windows: ClosedWindow[],
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({
      topic: `${prefix}aggregations.closed`,
      acks: -1,
      messages: windows.map((window) => ({
        key: `${window.event_type}|${window.region}`,
        value: JSON.stringify(window),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Deterministic, Poisson-like noise around `mean` (a small linear congruential generator). */
export function normalCounts(n: number, mean = 100, seed = 7): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.round(mean + (state / 2_147_483_648 - 0.5) * 2 * Math.sqrt(mean) * 1.5);
  });
}

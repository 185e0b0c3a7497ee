import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SupervisedConsumer } from "./supervised-consumer";
import type { KafkaConnection } from "./types";

const EVENTS = { FETCH_START: "fetch_start", HEARTBEAT: "heartbeat", GROUP_JOIN: "join", CRASH: "crash" };

/** A stand-in for kafkajs's consumer: records its life, emits what the test says. */
function fakeKafka({ hangingDisconnect = false } = {}) {
  const consumers: (EventEmitter & { disconnected: boolean })[] = [];
  const kafka = {
    consumer: () => {
      const emitter = Object.assign(new EventEmitter(), { disconnected: false });
      const consumer = {
        events: EVENTS,
        on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
        connect: async () => undefined,
        subscribe: async () => undefined,
        run: async () => undefined,
        stop: async () => undefined,
        seek: () => undefined,
        disconnect: () =>
          hangingDisconnect && consumers.length === 1
            ? new Promise<void>(() => undefined) // the stalled consumer never finishes disconnecting
            : Promise.resolve().then(() => {
                emitter.disconnected = true;
              }),
      };
      consumers.push(emitter);
      return consumer;
    },
  };
  return { kafka: kafka as unknown as KafkaConnection, consumers };
}

const options = {
  groupId: "g",
  topics: ["t"],
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 3_000,
  maxWaitTimeInMs: 100,
  partitionsConsumedConcurrently: 1,
  stallTimeoutMs: 30_000,
  handleBatch: async () => undefined,
};

describe("SupervisedConsumer's watchdog", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("replaces a consumer that shows no sign of life for the stall timeout", async () => {
    const { kafka, consumers } = fakeKafka();
    const supervised = new SupervisedConsumer("test", kafka, options, 1_000);
    await supervised.start();
    expect(consumers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(36_000);
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    expect(consumers[0]?.disconnected).toBe(true);
    await supervised.stop();
  });

  it("replaces a stalled consumer even when its disconnect never finishes", async () => {
    const { kafka, consumers } = fakeKafka({ hangingDisconnect: true });
    const supervised = new SupervisedConsumer("test", kafka, options, 1_000);
    await supervised.start();
    await vi.advanceTimersByTimeAsync(36_000);
    expect(consumers).toHaveLength(1); // waiting on the disconnect
    await vi.advanceTimersByTimeAsync(11_000);
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    await supervised.stop();
  });

  it("leaves a consumer alone while it fetches or heartbeats", async () => {
    const { kafka, consumers } = fakeKafka();
    const supervised = new SupervisedConsumer("test", kafka, options, 1_000);
    await supervised.start();
    for (let second = 0; second < 120; second += 10) {
      consumers[0]?.emit(second % 20 === 0 ? EVENTS.FETCH_START : EVENTS.HEARTBEAT);
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(consumers).toHaveLength(1);
    await supervised.stop();
  });

  it("restarts once when a crash and a stall come together", async () => {
    const { kafka, consumers } = fakeKafka();
    const supervised = new SupervisedConsumer("test", kafka, options, 1_000);
    await supervised.start();
    consumers[0]?.emit(EVENTS.CRASH, { payload: { error: new Error("gone"), restart: false } });
    supervised.restart();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(consumers).toHaveLength(2);
    await supervised.stop();
  });
});

/**
 * The kafkajs patch (patches/kafkajs+2.2.4.patch, src/network/requestQueue/index.js): a
 * connection's request queue sets a timer only while requests wait in it. Upstream set one
 * after every answer, whatever the queue held, with a negative delay (so 1 ms) when nothing
 * throttled it: every connection woke every millisecond for as long as it lived. The patch can
 * go when kafkajs (or the fork the project moves to) ships a fix of kafkajs issue #1751.
 * Drives kafkajs's own RequestQueue with stand-in requests.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

interface QueuedRequest {
  entry: {
    correlationId: number;
    apiKey: number;
    apiName: string;
    apiVersion: number;
    resolve: () => void;
    reject: () => void;
  };
  expectResponse: boolean;
  sendRequest: () => void;
}
interface RequestQueue {
  push(request: QueuedRequest): void;
  fulfillRequest(answer: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(milliseconds: number): void;
  destroy(): void;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const RequestQueueImpl = require("kafkajs/src/network/requestQueue") as RequestQueueClass;
const silent = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  info: () => undefined,
};

function queue(maxInFlightRequests: number): RequestQueue {
  return new RequestQueueImpl({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "127.0.0.1:9092",
    logger: silent,
  });
}

function request(correlationId: number, sent: number[]): QueuedRequest {
  return {
    entry: {
      correlationId,
      apiKey: 0,
      apiName: "Produce",
      apiVersion: 3,
      resolve: () => undefined,
      reject: () => undefined,
    },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

const answer = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("kafkajs request queue (patched)", () => {
  it("sets no timer once an answer leaves nothing waiting", () => {
    const sent: number[] = [];
    const requests = queue(1);
    requests.push(request(1, sent));
    expect(sent).toEqual([1]);
    requests.fulfillRequest(answer(1));
    // upstream: a 1 ms timer here, set again each time it fired, for the connection's lifetime
    expect(requests.throttleCheckTimeoutId).toBeNull();
    requests.destroy();
  });

  it("still sends a request that waited for a free slot when the one in flight is answered", async () => {
    const sent: number[] = [];
    const requests = queue(1);
    requests.push(request(1, sent));
    requests.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(requests.pending).toHaveLength(1);
    requests.fulfillRequest(answer(1));
    expect(sent).toEqual([1, 2]);
    requests.fulfillRequest(answer(2));
    // the check timer set while request 2 waited fires once and is not set again
    await until(() => requests.throttleCheckTimeoutId === null);
    requests.destroy();
  });

  it("still sends a request queued while the broker throttles, once the throttle ends", async () => {
    const sent: number[] = [];
    const requests = queue(5);
    requests.maybeThrottle(30);
    requests.push(request(1, sent));
    expect(sent).toEqual([]);
    expect(requests.throttleCheckTimeoutId).not.toBeNull();
    await until(() => sent.length === 1);
    expect(sent).toEqual([1]);
    requests.fulfillRequest(answer(1));
    await until(() => requests.throttleCheckTimeoutId === null);
    requests.destroy();
  });
});

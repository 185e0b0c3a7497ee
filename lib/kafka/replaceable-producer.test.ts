import type { Producer, ProducerRecord, RecordMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { ReplaceableProducer } from "./replaceable-producer";

type Outcome = "ok" | "fail" | "hang";

/** Stand-in kafkajs producers, each answering its sends as `outcomes` says, in order. */
function fleet(outcomes: Outcome[]) {
  const made: { id: number; sent: string[]; disconnected: boolean }[] = [];
  let active = 0;
  let maxActive = 0;
  const make = () => {
    const producer = { id: made.length + 1, sent: [] as string[], disconnected: false };
    made.push(producer);
    return {
      connect: async () => undefined,
      disconnect: async () => {
        producer.disconnected = true;
      },
      send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
        producer.sent.push(String(record.messages[0]?.value));
        active += 1;
        maxActive = Math.max(maxActive, active);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const outcome = outcomes.shift() ?? "ok";
          if (outcome === "fail") throw new Error("Closed connection");
          if (outcome === "hang") await new Promise(() => undefined);
          return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
        } finally {
          active -= 1;
        }
      },
    } as unknown as Producer;
  };
  return { make, made, maxActive: () => maxActive };
}

const record = (value: string): ProducerRecord => ({ topic: "t", messages: [{ value }] });

describe("ReplaceableProducer", () => {
  it("keeps one producer while its sends succeed", async () => {
    const f = fleet(["ok", "ok"]);
    const producer = new ReplaceableProducer(f.make, "test", 1000);
    await producer.send(record("a"));
    await producer.send(record("b"));
    expect(f.made.map((p) => p.sent)).toEqual([["a", "b"]]);
    expect(producer.replacements).toBe(0);
  });

  it("never sends again through a producer whose send failed", async () => {
    const f = fleet(["ok", "fail", "ok"]);
    const producer = new ReplaceableProducer(f.make, "test", 1000);
    await producer.send(record("a"));
    await expect(producer.send(record("b"))).rejects.toThrow("Closed connection");
    await producer.send(record("c"));
    expect(f.made.map((p) => p.sent)).toEqual([["a", "b"], ["c"]]);
    expect(f.made[0]?.disconnected).toBe(true);
  });

  it("replaces a producer whose send was not acknowledged in time", async () => {
    const f = fleet(["hang", "ok"]);
    const producer = new ReplaceableProducer(f.make, "test", 50);
    await expect(producer.send(record("a"))).rejects.toThrow("no acknowledgement within 50 ms");
    await producer.send(record("b"));
    expect(f.made.map((p) => p.sent)).toEqual([["a"], ["b"]]);
  });

  it("runs sends one at a time, so none overlaps a failing one", async () => {
    const f = fleet(["fail", "ok", "ok"]);
    const producer = new ReplaceableProducer(f.make, "test", 1000);
    const results = await Promise.allSettled(
      [record("a"), record("b"), record("c")].map((r) => producer.send(r)),
    );
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(f.maxActive()).toBe(1);
    expect(f.made.map((p) => p.sent)).toEqual([["a"], ["b", "c"]]);
  });
});

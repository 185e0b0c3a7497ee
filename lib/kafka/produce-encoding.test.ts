import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// patches/kafkajs+2.2.4.patch rewrites how kafkajs encodes a produce request (records
// written into buffers of their exact size, the batch header in place, no copy per level).
// The bytes must not change: this request's SHA-256 is the one unpatched kafkajs 2.2.4
// produces. The request covers null, string and Buffer keys and values, multi-byte UTF-8,
// repeated and empty headers, records of up to 3 KB, and timestamp deltas both under and
// over 2^30 ms (the two varint paths).
const require = createRequire(import.meta.url);
type Encoder = { buffer: Buffer };
const produce = require("kafkajs/src/protocol/requests/produce/v3/request.js") as (
  request: unknown,
) => unknown;
const frame = require("kafkajs/src/protocol/request.js") as (request: unknown) => Promise<Encoder>;
const Long = require("kafkajs/src/utils/long.js") as { fromInt: (value: number) => unknown };

const UNPATCHED_SHA256 = "bcac7206e80725b67d934b3c3abb969ea55f548ea8fa0d5cf034978f9bac0f9f";

function message(i: number) {
  return {
    key: i % 5 === 0 ? null : i % 7 === 0 ? Buffer.from([1, 2, 3, i & 255]) : `user-${i}-ü`,
    value:
      i % 11 === 0
        ? Buffer.from(`buffer value ${i}`)
        : i % 13 === 0
          ? null
          : JSON.stringify({ i, text: "x".repeat((i * 37) % 3000), emoji: "😀é" }),
    headers:
      i % 3 === 0
        ? {}
        : {
            "x-correlation-id": `c-${i}`,
            "x-many": [`a${i}`, Buffer.from("b")],
            "x-received-at": String(1_700_000_000_000 + i),
          },
    timestamp: String(1_700_000_000_000 + (i % 9) * 1000 + (i % 4 === 0 ? 5_000_000_000 : 0)),
  };
}

describe("kafkajs produce request encoding (patched)", () => {
  it("writes exactly the bytes unpatched kafkajs writes", async () => {
    let n = 0;
    const topicData = ["events.click", "events.page_view"].map((topic) => ({
      topic,
      partitions: [0, 3, 5].map((partition) => ({
        partition,
        firstSequence: 17 + partition,
        messages: Array.from({ length: 40 }, () => message(n++)),
      })),
    }));
    const request = produce({
      acks: -1,
      timeout: 30_000,
      transactionalId: null,
      producerId: Long.fromInt(12_345),
      producerEpoch: 3,
      topicData,
    });
    const encoded = await frame({ correlationId: 99, clientId: "ingest-ü", request });
    expect(encoded.buffer.length).toBe(322_881);
    expect(createHash("sha256").update(encoded.buffer).digest("hex")).toBe(UNPATCHED_SHA256);
  });
});

import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// kafkajs's record-batch checksum, which patches/kafkajs+2.2.4.patch points at the native
// CRC-32C of @node-rs/crc32; its own JavaScript table is the reference.
const require = createRequire(import.meta.url);
const patched = require("kafkajs/src/protocol/recordBatch/crc32C/index.js") as (buffer: Buffer) => number;
// before anything else here loads it: did the patched module load the native one?
const nativeLoaded = Object.keys(require.cache).some((file) => file.includes("@node-rs/crc32"));
const reference = require("kafkajs/src/protocol/recordBatch/crc32C/crc32C.js") as (buffer: Buffer) => number;

describe("kafkajs record-batch CRC-32C (patched to the native one)", () => {
  it("equals kafkajs's JavaScript CRC-32C, unsigned, for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(patched(buffer)).toBe(reference(buffer) >>> 0);
      }),
    );
    const large = randomBytes(200_000);
    expect(patched(large)).toBe(reference(large) >>> 0);
  });

  it("uses the native implementation (the patch applied and the package is installed)", () => {
    expect(nativeLoaded).toBe(true);
  });
});

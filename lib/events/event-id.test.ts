import { V7Generator } from "uuidv7";
import { describe, expect, it } from "vitest";
import { uuidV7BytesTime, uuidV7Time } from "./event-id";

describe("uuidV7Time", () => {
  it("reads the millisecond time of UUIDv7 ids, from text and from bytes", () => {
    const generator = new V7Generator();
    for (const time of [0, 1, 1_764_547_200_123, 2 ** 48 - 1]) {
      const uuid = generator.generateOrResetWithTs(time);
      expect(uuidV7Time(uuid.toString())).toBe(time);
      expect(uuidV7BytesTime(uuid.bytes)).toBe(time);
    }
  });

  it.each([
    ["a UUIDv4", "9b2f6c1e-4c4b-4a3e-9d7f-0a1b2c3d4e5f"],
    ["an uppercase UUIDv7", "019AC0B6-1C2D-7E3F-8A4B-5C6D7E8F9A0B"],
    ["a UUIDv7 with the wrong variant", "019ac0b6-1c2d-7e3f-4a4b-5c6d7e8f9a0b"],
    ["a client's own id", "order-4711"],
    ["a UUIDv7 with extra text", "019ac0b6-1c2d-7e3f-8a4b-5c6d7e8f9a0b-x"],
  ])("ignores %s", (_label, id) => {
    expect(uuidV7Time(id)).toBeUndefined();
  });
});

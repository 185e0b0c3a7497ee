import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("parseEnv", () => {
  it("gives every setting a default for the local stack", () => {
    const env = parseEnv({});
    expect(env.KAFKA_BROKERS).toEqual(["127.0.0.1:9092"]);
    expect(env.EVENT_TYPES).toContain("page_view");
    expect(env.WINDOW_SIZES_SECONDS).toEqual([300, 60]);
    expect(env.KAFKA_PARTITIONS).toBe(6);
  });

  it("parses lists and numbers", () => {
    const env = parseEnv({ KAFKA_BROKERS: "a:1, b:2", WINDOW_SIZES_SECONDS: "60", KAFKA_PARTITIONS: "12" });
    expect(env.KAFKA_BROKERS).toEqual(["a:1", "b:2"]);
    expect(env.WINDOW_SIZES_SECONDS).toEqual([60]);
    expect(env.KAFKA_PARTITIONS).toBe(12);
  });

  it.each([
    ["KAFKA_PARTITIONS", "zero"],
    ["DATABASE_URL", "not a url"],
    ["LOG_LEVEL", "loud"],
    ["EVENT_TYPES", "Bad Type"],
    ["KAFKA_BROKERS", "nohost"],
    ["WINDOW_SIZES_SECONDS", "300,-5"],
  ])("names %s when its value %j is wrong", (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(name);
  });
});

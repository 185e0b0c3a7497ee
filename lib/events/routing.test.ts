import { describe, expect, it } from "vitest";
import { listEventTopics, partitionKeyFor, topicForType } from "./routing";

const config = { prefix: "", eventTypes: ["page_view", "click"] };

describe("topicForType", () => {
  it.each([
    ["page_view", "events.page_view"],
    ["click", "events.click"],
    ["refund", "events.other"],
  ])("%s goes to %s", (type, topic) => {
    expect(topicForType(type, config)).toBe(topic);
  });

  it("applies the prefix", () => {
    expect(topicForType("click", { ...config, prefix: "t1." })).toBe("t1.events.click");
  });
});

describe("listEventTopics", () => {
  it("lists configured types and other, once each", () => {
    expect(listEventTopics({ prefix: "", eventTypes: ["a", "b", "a", "other"] })).toEqual([
      "events.a",
      "events.b",
      "events.other",
    ]);
  });
});

describe("partitionKeyFor", () => {
  it.each([
    [{ event_id: "e", user_id: "u", session_id: "s" }, "u"],
    [{ event_id: "e", session_id: "s" }, "s"],
    [{ event_id: "e" }, "e"],
  ])("key of %j is %s", (event, key) => {
    expect(partitionKeyFor(event)).toBe(key);
  });
});

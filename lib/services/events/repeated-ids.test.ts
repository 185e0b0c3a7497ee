import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { prepareEvents } from "./ingest";
import { dropRepeatedIds, type StagedEvent } from "./persist-batch";

const staged = (eventId: string, suppliedTime?: number, projectId = "default"): StagedEvent => ({
  projectId,
  eventId,
  suppliedTime,
  stagingRow: `${projectId === "default" ? "" : `${projectId}/`}${eventId}@${suppliedTime ?? "server"}`,
});

describe("a repeated event id in one batch", () => {
  it.each([
    ["copies without a timestamp: the first wins", [staged("a"), staged("a")], ["a@server"]],
    ["copies with the same timestamp: the first wins", [staged("a", 1), staged("a", 1)], ["a@1"]],
    ["the same id at two client times: two events", [staged("a", 1), staged("a", 2)], ["a@1", "a@2"]],
    ["a copy without a timestamp after a timed one: the same event", [staged("a", 1), staged("a")], ["a@1"]],
    ["a timed copy after one without: another event", [staged("a"), staged("a", 1)], ["a@server", "a@1"]],
    ["different ids: all kept", [staged("a"), staged("b"), staged("c", 3)], ["a@server", "b@server", "c@3"]],
    [
      "the same id in two projects: two events",
      [staged("a"), staged("a", undefined, "shop"), staged("a", 1), staged("a", 1, "shop")],
      ["a@server", "shop/a@server", "a@1", "shop/a@1"],
    ],
  ])("%s", (_label, batch, rows) => {
    expect(dropRepeatedIds(batch).map((event) => event.stagingRow)).toEqual(rows);
  });
});

describe("a repeated event id in one request", () => {
  const prepare = (events: unknown[]) =>
    prepareEvents({
      body: JSON.stringify(events),
      contentType: "application/json",
      receivedAt: Date.now(),
      correlationId: "c",
      userAgent: undefined,
      projectId: "default",
    });

  it("is refused whole, naming the repeating event and the first one", () => {
    let caught: unknown;
    try {
      prepare([
        { event_type: "click", event_id: "x" },
        { event_type: "click", event_id: "y" },
        { event_type: "click", event_id: "x", timestamp: Date.now() },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({
      code: "validation_failed",
      details: [{ index: 2, path: "event_id", message: "repeats the event_id of event 0" }],
    });
  });

  it("lets distinct ids and events without ids through", () => {
    expect(
      prepare([{ event_type: "click" }, { event_type: "click" }, { event_type: "click", event_id: "x" }]),
    ).toHaveLength(3);
  });
});

import { describe, expect, it } from "vitest";
import { enrichEvent } from "./enrich";

const context = {
  receivedAt: 1_700_000_000_000,
  correlationId: "req-1",
  userAgent: "agent/1.0",
  projectId: "default",
};

describe("enrichEvent", () => {
  it("gives events without an id distinct, time-ordered UUIDv7 ids, across many refills of its random buffer", () => {
    const ids = Array.from(
      { length: 5000 },
      () => enrichEvent({ input: { event_type: "click" }, timestamp: undefined }, context).event_id,
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it("keeps a client's id and time and says so; defaults the time to the receive time", () => {
    const supplied = enrichEvent(
      { input: { event_type: "click", event_id: "client-1" }, timestamp: 1_699_999_999_000 },
      context,
    );
    expect(supplied).toMatchObject({
      event_id: "client-1",
      timestamp: 1_699_999_999_000,
      id_supplied: true,
      timestamp_supplied: true,
      received_at: context.receivedAt,
      source: { user_agent: "agent/1.0", api_version: 1 },
    });
    const generated = enrichEvent({ input: { event_type: "click" }, timestamp: undefined }, context);
    expect(generated).toMatchObject({
      timestamp: context.receivedAt,
      id_supplied: false,
      timestamp_supplied: false,
    });
  });
});

import { describe, expect, it } from "vitest";
import { decodeClosedWindow } from "./decode-window";

const window = {
  window_start: "2026-03-02T00:05:00.000Z",
  window_seconds: 300,
  event_type: "purchase",
  region: "*",
  count: 12,
  distinct_users: 9,
  value_count: 12,
  sum: 240,
  avg: 20,
  min: 5,
  max: 60,
  p50: 18,
  p95: 55,
  p99: 59,
  closed_at: "2026-03-02T00:12:00.000Z",
};

describe("closed-window decoding", () => {
  it("reads a valid window", () => {
    expect(decodeClosedWindow(Buffer.from(JSON.stringify(window)))).toEqual({ ok: true, window });
  });

  it.each([
    ["no value", null, /^empty/],
    ["not JSON", Buffer.from("{oops"), /^invalid_json/],
    ["a wrong field", Buffer.from(JSON.stringify({ ...window, count: -1 })), /^invalid_window: count/],
    ["a missing field", Buffer.from(JSON.stringify({ ...window, window_start: undefined })), /window_start/],
  ])("refuses %s with a reason", (_what, value, reason) => {
    const decoded = decodeClosedWindow(value);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

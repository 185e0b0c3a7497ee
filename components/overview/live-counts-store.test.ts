import { describe, expect, it } from "vitest";
import type { LiveSnapshotMessage } from "@/lib/realtime/live-protocol";
import { LiveCountsStore, RANGE_SECONDS } from "./live-counts-store";

const NOW = 1_000_000; // epoch second on the server
const at = (second: number) => second * 1000 + 500;

function snapshot(cells: [number, string, string, number][]): LiveSnapshotMessage {
  return {
    kind: "snapshot",
    server_id: "s",
    realtime: { now: NOW, seconds: RANGE_SECONDS, series: [], by_type: {}, by_region: {}, total: 0, cells },
  };
}

describe("LiveCountsStore", () => {
  it("starts from the snapshot and adds streamed counts", () => {
    const store = new LiveCountsStore();
    store.applySnapshot(snapshot([[NOW - 1, "click", "eu", 5]]), at(NOW));
    store.applyCounts({ kind: "counts", counts: [{ t: "click", r: "us", s: NOW, n: 3 }] }, at(NOW));
    const view = store.view(at(NOW));
    expect(view.total).toBe(8);
    expect(view.byType).toEqual([{ name: "click", total: 8, rate: 0.5 }]);
    expect(view.byRegion).toEqual([
      { name: "eu", total: 5 },
      { name: "us", total: 3 },
    ]);
    expect(view.series).toHaveLength(RANGE_SECONDS - 1);
    expect(view.series.at(-1)).toEqual({ second: NOW - 1, total: 5 });
  });

  it("lets seconds older than the range slide out of every figure", () => {
    const store = new LiveCountsStore();
    store.applySnapshot(snapshot([[NOW - RANGE_SECONDS + 1, "view", "eu", 4]]), at(NOW));
    expect(store.view(at(NOW)).total).toBe(4);
    expect(store.view(at(NOW + 1)).total).toBe(0);
  });

  it("uses the server's clock, not the browser's", () => {
    const store = new LiveCountsStore();
    const browserSkewMs = -60_000; // the browser is a minute behind
    store.applySnapshot(snapshot([[NOW, "a", "x", 1]]), at(NOW) + browserSkewMs);
    expect(store.view(at(NOW) + browserSkewMs).now).toBe(NOW);
    expect(store.view(at(NOW) + browserSkewMs).total).toBe(1);
  });

  it("a new snapshot replaces what was there", () => {
    const store = new LiveCountsStore();
    store.applySnapshot(snapshot([[NOW, "a", "x", 10]]), at(NOW));
    store.applySnapshot(snapshot([[NOW, "b", "y", 1]]), at(NOW));
    expect(store.view(at(NOW)).byType.map((t) => t.name)).toEqual(["b"]);
  });
});

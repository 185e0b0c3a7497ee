import { describe, expect, it } from "vitest";
import { countBySecond } from "@/lib/services/events/publish-live-counts";
import { SeriesBounds } from "./series-bounds";

describe("SeriesBounds", () => {
  it("keeps configured types and admitted regions, passes new regions while places are left, else other", async () => {
    let admitted = ["eu", "us"];
    const bounds = new SeriesBounds(["click"], 3, "scope", () => Promise.resolve(admitted));
    await bounds.refresh();
    expect([bounds.type("click"), bounds.type("t-42")]).toEqual(["click", "other"]);
    // two admitted of three places: a new region may still be admitted by the processor
    expect([bounds.region("eu"), bounds.region("ap"), bounds.region("unknown")]).toEqual([
      "eu",
      "ap",
      "unknown",
    ]);
    admitted = ["eu", "us", "ap"];
    await bounds.refresh();
    expect([bounds.region("ap"), bounds.region("sa"), bounds.region("unknown")]).toEqual([
      "ap",
      "other",
      "unknown",
    ]);
  });

  it("bounds a request's live counts: a thousand new types and regions make a handful of cells", async () => {
    const bounds = new SeriesBounds(["click"], 2, "scope", () => Promise.resolve(["eu", "us"]));
    await bounds.refresh();
    const events = Array.from({ length: 1000 }, (_, i) => ({
      event_id: `e${i}`,
      event_type: `t-${i}`,
      region: `r-${i}`,
      timestamp: 1_700_000_000_000,
    }));
    const { counts } = countBySecond(events, 1_700_000_000_000, bounds);
    expect(counts).toEqual([{ t: "other", r: "other", s: 1_700_000_000, n: 1000 }]);
  });
});

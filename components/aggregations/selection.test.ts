import { describe, expect, it } from "vitest";
import { DEFAULT_SELECTION, MAX_SERIES, selectionFromSearch, selectionToSearch, seriesOf } from "./selection";

describe("aggregation selection", () => {
  it("round-trips through the URL and leaves defaults out", () => {
    const selection = { types: ["click", "purchase"], regions: ["*"], window: "60", range: "24h" } as const;
    const search = selectionToSearch({
      ...selection,
      types: [...selection.types],
      regions: [...selection.regions],
    });
    expect(search.toString()).toBe("types=click%2Cpurchase&window=60&range=24h");
    expect(selectionFromSearch(search)).toEqual(selection);
    expect(selectionToSearch(DEFAULT_SELECTION).toString()).toBe("");
  });

  it("falls back to defaults on nonsense", () => {
    expect(selectionFromSearch(new URLSearchParams("window=7&range=1y&types=,,"))).toEqual(DEFAULT_SELECTION);
  });

  it("caps the number of series", () => {
    const series = seriesOf({ ...DEFAULT_SELECTION, types: ["a", "b", "c"], regions: ["x", "y", "z"] });
    expect(series).toHaveLength(MAX_SERIES);
    expect(series[0]).toEqual({ type: "a", region: "x", key: "a|x", label: "a · x" });
  });
});

/** The aggregations page's choices, kept in the URL. Pure: unit-tested. */
export const METRICS = [
  { key: "count", label: "Events", unit: "events" },
  { key: "distinct_users", label: "Distinct users", unit: "users" },
  { key: "avg", label: "Average value", unit: "" },
  { key: "p95", label: "p95 value", unit: "" },
] as const;

export type MetricKey = (typeof METRICS)[number]["key"];

export const RANGES = [
  { value: "1h", label: "Last hour", ms: 3600_000 },
  { value: "6h", label: "Last 6 hours", ms: 6 * 3600_000 },
  { value: "24h", label: "Last 24 hours", ms: 24 * 3600_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 24 * 3600_000 },
] as const;

export type RangeValue = (typeof RANGES)[number]["value"];
export type WindowSize = "60" | "300";

export interface AggregationSelection {
  types: string[];
  regions: string[];
  window: WindowSize;
  range: RangeValue;
}

/** More series than this make a chart unreadable. */
export const MAX_SERIES = 6;

export const DEFAULT_SELECTION: AggregationSelection = {
  types: ["*"],
  regions: ["*"],
  window: "300",
  range: "6h",
};

const list = (raw: string | null, fallback: string[]) => {
  const values = [
    ...new Set(
      (raw ?? "")
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ].slice(0, MAX_SERIES);
  return values.length > 0 ? values : fallback;
};

export function selectionFromSearch(search: URLSearchParams): AggregationSelection {
  const window = search.get("window");
  const range = search.get("range");
  return {
    types: list(search.get("types"), DEFAULT_SELECTION.types),
    regions: list(search.get("regions"), DEFAULT_SELECTION.regions),
    window: window === "60" || window === "300" ? window : DEFAULT_SELECTION.window,
    range: RANGES.some((r) => r.value === range) ? (range as RangeValue) : DEFAULT_SELECTION.range,
  };
}

export function selectionToSearch(selection: AggregationSelection): URLSearchParams {
  const search = new URLSearchParams();
  if (selection.types.join(",") !== "*") search.set("types", selection.types.join(","));
  if (selection.regions.join(",") !== "*") search.set("regions", selection.regions.join(","));
  if (selection.window !== DEFAULT_SELECTION.window) search.set("window", selection.window);
  if (selection.range !== DEFAULT_SELECTION.range) search.set("range", selection.range);
  return search;
}

/** Every (type, region) pair to chart, at most MAX_SERIES. "*" is the roll-up over all. */
export function seriesOf(
  selection: AggregationSelection,
): { type: string; region: string; key: string; label: string }[] {
  const pairs = selection.types.flatMap((type) =>
    selection.regions.map((region) => ({
      type,
      region,
      key: `${type}|${region}`,
      label: `${type === "*" ? "all types" : type} · ${region === "*" ? "all regions" : region}`,
    })),
  );
  return pairs.slice(0, MAX_SERIES);
}

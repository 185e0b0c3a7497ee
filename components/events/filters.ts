/**
 * The explorer's filters as they live in the URL (shareable, survive reload) and as they
 * are sent to GET /api/events. Pure: unit-tested.
 */
export const RANGE_PRESETS = [
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3600_000 },
  { value: "24h", label: "Last 24 hours", ms: 24 * 3600_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 24 * 3600_000 },
  { value: "all", label: "All time", ms: 0 },
  { value: "custom", label: "Custom range", ms: 0 },
] as const;

export type RangePreset = (typeof RANGE_PRESETS)[number]["value"];

export interface EventFilters {
  event_type: string;
  region: string;
  user_id: string;
  /** key:value on the event's properties */
  property: string;
  range: RangePreset;
  /** ISO times, for a custom range */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: EventFilters = {
  event_type: "",
  region: "",
  user_id: "",
  property: "",
  range: "24h",
  from: "",
  to: "",
};

const isPreset = (value: string | null): value is RangePreset =>
  RANGE_PRESETS.some((preset) => preset.value === value);

const validIso = (value: string | null) =>
  value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : "";

/** Filters from the page's query string; anything unknown or malformed falls back to the default. */
export function filtersFromSearch(search: URLSearchParams): EventFilters {
  const text = (key: string) => (search.get(key) ?? "").trim();
  const from = validIso(search.get("from"));
  const to = validIso(search.get("to"));
  const range = search.get("range");
  return {
    event_type: text("event_type"),
    region: text("region"),
    user_id: text("user_id"),
    property: text("property"),
    range: isPreset(range) ? range : from || to ? "custom" : EMPTY_FILTERS.range,
    from,
    to,
  };
}

/** The page's query string for these filters: only what differs from the defaults. */
export function filtersToSearch(filters: EventFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of ["event_type", "region", "user_id", "property"] as const) {
    if (filters[key].trim()) search.set(key, filters[key].trim());
  }
  if (filters.range !== EMPTY_FILTERS.range) search.set("range", filters.range);
  if (filters.range === "custom") {
    if (filters.from) search.set("from", filters.from);
    if (filters.to) search.set("to", filters.to);
  }
  return search;
}

/** The API's query (GET /api/events and its CSV export) at time `now`. */
export function filtersToApiQuery(filters: EventFilters, now: number): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of ["event_type", "region", "user_id", "property"] as const) {
    if (filters[key].trim()) query.set(key, filters[key].trim());
  }
  const preset = RANGE_PRESETS.find((candidate) => candidate.value === filters.range);
  if (filters.range === "custom") {
    if (filters.from) query.set("from", filters.from);
    if (filters.to) query.set("to", filters.to);
  } else if (preset && preset.ms > 0) {
    query.set("from", new Date(now - preset.ms).toISOString());
  }
  return query;
}

/** "key:value" as the API wants it, or an error message for the form. */
export function checkProperty(property: string): string | undefined {
  if (!property.trim()) return undefined;
  return /^[A-Za-z0-9_.-]{1,64}:.{0,256}$/.test(property.trim())
    ? undefined
    : "Write it as key:value, e.g. page:/pricing";
}

/** An ISO time as the value of an <input type="datetime-local"> in the viewer's time zone. */
export function isoToLocalInput(iso: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The value of an <input type="datetime-local"> (the viewer's time zone) as ISO. */
export function localInputToIso(value: string): string {
  if (!value) return "";
  const date = new Date(value); // parsed as local time
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

import { describe, expect, it } from "vitest";
import {
  checkProperty,
  EMPTY_FILTERS,
  filtersFromSearch,
  filtersToApiQuery,
  filtersToSearch,
  type EventFilters,
} from "./filters";

describe("explorer filters", () => {
  const filters: EventFilters = {
    ...EMPTY_FILTERS,
    event_type: "purchase",
    region: "eu-west",
    user_id: "u 1",
    property: "page:/a b",
    range: "custom",
    from: "2026-01-01T00:00:00.000Z",
    to: "2026-01-02T00:00:00.000Z",
  };

  it("round-trips through the query string", () => {
    const search = filtersToSearch(filters);
    expect(filtersFromSearch(new URLSearchParams(search.toString()))).toEqual(filters);
  });

  it("leaves defaults out of the URL", () => {
    expect(filtersToSearch(EMPTY_FILTERS).toString()).toBe("");
  });

  it.each([
    { search: "range=nonsense", range: "24h" },
    { search: "range=1h", range: "1h" },
    { search: "from=2026-01-01T00:00:00Z", range: "custom" },
    { search: "from=garbage", range: "24h" },
  ])("reads range from '$search' as $range", ({ search, range }) => {
    expect(filtersFromSearch(new URLSearchParams(search)).range).toBe(range);
  });

  it("turns a preset range into a from time for the API", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    const query = filtersToApiQuery({ ...EMPTY_FILTERS, range: "1h", event_type: "click" }, now);
    expect(Object.fromEntries(query)).toEqual({ event_type: "click", from: "2026-01-01T11:00:00.000Z" });
    expect(filtersToApiQuery({ ...EMPTY_FILTERS, range: "all" }, now).toString()).toBe("");
  });

  it.each([
    { property: "", ok: true },
    { property: "page:/pricing", ok: true },
    { property: "plan:", ok: true },
    { property: "no-colon", ok: false },
    { property: "bad key:x", ok: false },
  ])("checks property '$property'", ({ property, ok }) => {
    expect(checkProperty(property) === undefined).toBe(ok);
  });
});

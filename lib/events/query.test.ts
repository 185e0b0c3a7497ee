import { describe, expect, it } from "vitest";
import { boundUnindexedFilters, UNINDEXED_DEFAULT_RANGE_MS } from "./query";

const now = new Date("2026-12-01T12:00:00Z");
const day = 24 * 3600_000;

describe("boundUnindexedFilters", () => {
  it("leaves a query on indexed filters alone, however long its range", () => {
    const query = { event_type: "click", from: new Date(now.getTime() - 30 * day), to: now };
    expect(boundUnindexedFilters(query, now)).toBe(query);
  });

  it("gives a user, session or property filter the last 24 hours when it names no start", () => {
    for (const filter of [{ user_id: "u1" }, { session_id: "s1" }, { property: "plan:pro" }]) {
      const bounded = boundUnindexedFilters(filter, now);
      expect(bounded).toEqual({ ...filter, from: new Date(now.getTime() - UNINDEXED_DEFAULT_RANGE_MS) });
    }
    const to = new Date("2026-11-20T00:00:00Z");
    expect(boundUnindexedFilters({ user_id: "u1", to }, now)).toEqual({
      user_id: "u1",
      to,
      from: new Date(to.getTime() - day),
    });
  });

  it("refuses such a filter over more than 7 days", () => {
    expect(
      boundUnindexedFilters({ user_id: "u1", from: new Date(now.getTime() - 8 * day) }, now),
    ).toHaveProperty("range");
    expect(
      boundUnindexedFilters({ user_id: "u1", from: new Date(now.getTime() - 7 * day) }, now),
    ).not.toHaveProperty("range");
  });
});

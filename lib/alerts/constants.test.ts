import { describe, expect, it } from "vitest";
import { windowMetrics } from "../events/closed-window";
import { ruleMetrics } from "./constants";

describe("rule metrics", () => {
  it("are the closed-window contract's metrics, in its order", () => {
    expect([...ruleMetrics]).toEqual([...windowMetrics]);
  });
});

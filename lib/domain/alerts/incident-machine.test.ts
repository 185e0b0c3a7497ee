import { describe, expect, it } from "vitest";
import type { Outcome } from "./evaluate";
import {
  INITIAL_INCIDENT_STATE,
  isMuted,
  stepIncident,
  streaksFor,
  type Transition,
} from "./incident-machine";

function run(
  outcomes: Outcome[],
  forWindows: number,
  type: "threshold" | "no_data" = "threshold",
): Transition[] {
  const condition =
    type === "threshold"
      ? ({ type: "threshold", operator: "above", value: 1 } as const)
      : ({ type: "no_data", windows: 3 } as const);
  const streaks = streaksFor(condition, forWindows);
  let state = INITIAL_INCIDENT_STATE;
  return outcomes.map((outcome) => {
    const step = stepIncident(state, outcome, streaks);
    state = step.state;
    return step.transition;
  });
}

const B = "breach" as const;
const C = "clear" as const;
const U = "unknown" as const;

describe("incident state machine", () => {
  it.each<[string, Outcome[], number, Transition[]]>([
    ["fires once on the first breach with for=1", [B, B, B], 1, ["fire", "none", "none"]],
    ["resolves on the first clear window with for=1", [B, B, C, C], 1, ["fire", "none", "resolve", "none"]],
    [
      "waits for N consecutive breaches",
      [B, B, C, B, B, B],
      3,
      ["none", "none", "none", "none", "none", "fire"],
    ],
    [
      "needs N consecutive clear windows to resolve",
      [B, B, C, B, C, C],
      2,
      ["none", "fire", "none", "none", "none", "resolve"],
    ],
    ["ignores unknown windows", [B, U, B, U, C], 2, ["none", "none", "fire", "none", "none"]],
    ["opens a new incident after a resolved one", [B, C, B], 1, ["fire", "resolve", "fire"]],
    ["never resolves what never fired", [C, C, B], 2, ["none", "none", "none"]],
  ])("%s", (_name, outcomes, forWindows, transitions) => {
    expect(run(outcomes, forWindows)).toEqual(transitions);
  });

  it("fires no-data at once and resolves on the first window with data, whatever `for` says", () => {
    expect(run([B, B, C], 5, "no_data")).toEqual(["fire", "none", "resolve"]);
  });

  it("treats muted_until in the future as muted", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(isMuted(null, now)).toBe(false);
    expect(isMuted(new Date(now + 1000), now)).toBe(true);
    expect(isMuted(new Date(now - 1000), now)).toBe(false);
  });
});

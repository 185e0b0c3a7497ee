import { describe, expect, it } from "vitest";
import {
  decideRestart,
  defaultRestartPolicy,
  freshHistory,
  type RestartDecision,
  type RestartHistory,
} from "./restart-policy";

const S = 1_000;

/** Runs a sequence of exits (how long each run lived) through the policy from a fresh history. */
function decideAll(lifetimesMs: number[]): RestartDecision[] {
  let history: RestartHistory = freshHistory;
  return lifetimesMs.map((lived) => {
    const decision = decideRestart(history, lived);
    history = decision.history;
    return decision;
  });
}

const delays = (decisions: RestartDecision[]) =>
  decisions.map((decision) => (decision.action === "restart" ? decision.delayMs : decision.action));

describe("decideRestart", () => {
  it.each<[string, number[], (number | string)[]]>([
    ["one crash after a long run", [10 * 60 * S], [1 * S]],
    [
      "crashes after 20 s double the delay up to 30 s",
      Array(8).fill(20 * S),
      [1, 2, 4, 8, 16, 30, 30, 30].map((d) => d * S),
    ],
    [
      "a run of a minute or more starts the delay over",
      [20 * S, 20 * S, 20 * S, 60 * S, 20 * S],
      [1, 2, 4, 1, 2].map((d) => d * S),
    ],
    ["four failed starts still restart", [0, 1 * S, 2 * S, 14 * S], [1, 2, 4, 8].map((d) => d * S)],
    ["the fifth failed start in a row gives up", [0, 0, 0, 0, 0], [1 * S, 2 * S, 4 * S, 8 * S, "give_up"]],
    [
      "a run past 15 s breaks the series of failed starts",
      [0, 0, 0, 0, 16 * S, 0, 0, 0, 0],
      [1, 2, 4, 8, 16, 30, 30, 30, 30].map((d) => d * S),
    ],
    ["exactly 15 s is not a failed start", [0, 0, 0, 0, 15 * S], [1, 2, 4, 8, 16].map((d) => d * S)],
  ])("%s", (_name, lifetimes, expected) => {
    expect(delays(decideAll(lifetimes))).toEqual(expected);
  });

  it("names the rule when it gives up", () => {
    const decision = decideRestart({ restarts: 4, quickExits: 4 }, 200);
    expect(decision).toMatchObject({ action: "give_up", history: { quickExits: 5 } });
    expect(decision.action === "give_up" && decision.reason).toBe(
      "exited within 15000 ms of starting 5 times in a row",
    );
  });

  it.each([
    [{ ...defaultRestartPolicy, maxQuickExits: 1 }, "give_up"],
    [{ ...defaultRestartPolicy, quickExitMs: 0 }, 1 * S],
  ])("follows the policy it is given (%o)", (policy, expected) => {
    const decision = decideRestart(freshHistory, 0, policy);
    expect(decision.action === "restart" ? decision.delayMs : decision.action).toBe(expected);
  });

  it("stays at the cap however many restarts came before", () => {
    const decision = decideRestart({ restarts: 5_000, quickExits: 0 }, 20 * S);
    expect(decision).toMatchObject({ action: "restart", delayMs: 30 * S });
  });
});

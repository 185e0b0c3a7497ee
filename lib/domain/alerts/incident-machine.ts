import type { RuleCondition } from "@/lib/alerts/rule-schema";
import type { Outcome } from "./evaluate";

/**
 * Per-rule evaluation state. An incident opens ("fire") after `for` consecutive breaching windows
 * and resolves after the condition is clear for as many consecutive windows (1 for no-data: the
 * first window with data ends it). One incident, however many windows it lasts.
 */
export interface IncidentState {
  breachStreak: number;
  clearStreak: number;
  firing: boolean;
}

export type Transition = "fire" | "resolve" | "none";

export const INITIAL_INCIDENT_STATE: Readonly<IncidentState> = {
  breachStreak: 0,
  clearStreak: 0,
  firing: false,
};

export interface Streaks {
  /** Consecutive breaching windows before an incident opens. */
  fireAfter: number;
  /** Consecutive clear windows before it resolves. */
  resolveAfter: number;
}

export function streaksFor(condition: RuleCondition, forWindows: number): Streaks {
  if (condition.type === "no_data") return { fireAfter: 1, resolveAfter: 1 };
  const windows = Math.max(1, forWindows);
  return { fireAfter: windows, resolveAfter: windows };
}

/** The next state after one outcome, and whether that opened or resolved an incident. */
export function stepIncident(
  state: IncidentState,
  outcome: Outcome,
  { fireAfter, resolveAfter }: Streaks,
): { state: IncidentState; transition: Transition } {
  if (outcome === "unknown") return { state, transition: "none" };
  if (outcome === "breach") {
    const breachStreak = Math.min(state.breachStreak + 1, 1_000_000);
    if (!state.firing && breachStreak >= fireAfter) {
      return { state: { breachStreak, clearStreak: 0, firing: true }, transition: "fire" };
    }
    return { state: { ...state, breachStreak, clearStreak: 0 }, transition: "none" };
  }
  const clearStreak = Math.min(state.clearStreak + 1, 1_000_000);
  if (state.firing && clearStreak >= resolveAfter) {
    return { state: { breachStreak: 0, clearStreak, firing: false }, transition: "resolve" };
  }
  return { state: { ...state, breachStreak: 0, clearStreak }, transition: "none" };
}

/** Muted rules still open and resolve incidents, but send no notifications. */
export function isMuted(mutedUntil: Date | null, nowMs: number): boolean {
  return mutedUntil !== null && mutedUntil.getTime() > nowMs;
}

/**
 * When the stack supervisor restarts a process that exited, and when it gives up.
 * Pure: the supervisor passes in how long the process lived and keeps the history.
 */
export interface RestartPolicy {
  /** The first restart's delay; each further restart in a row doubles it. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that lived at least this long was healthy: its delay starts over. */
  stableAfterMs: number;
  /** A process that died sooner than this after starting failed to start. */
  quickExitMs: number;
  /** Give up after this many failed starts in a row: restarting would fail the same way. */
  maxQuickExits: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  quickExitMs: 15_000,
  maxQuickExits: 5,
};

/** What the supervisor remembers of one process between its runs. */
export interface RestartHistory {
  /** Restarts since the process last ran stably. */
  restarts: number;
  /** Failed starts in a row. */
  quickExits: number;
}

export const freshHistory: RestartHistory = { restarts: 0, quickExits: 0 };

export type RestartDecision =
  | { action: "restart"; delayMs: number; history: RestartHistory }
  | { action: "give_up"; reason: string; history: RestartHistory };

/** Decides what follows the exit of a process that ran `livedMs`. */
export function decideRestart(
  history: RestartHistory,
  livedMs: number,
  policy: RestartPolicy = defaultRestartPolicy,
): RestartDecision {
  const quick = livedMs < policy.quickExitMs;
  const quickExits = quick ? history.quickExits + 1 : 0;
  const restarts = livedMs >= policy.stableAfterMs ? 0 : history.restarts;
  if (quickExits >= policy.maxQuickExits) {
    return {
      action: "give_up",
      reason: `exited within ${policy.quickExitMs} ms of starting ${quickExits} times in a row`,
      history: { restarts, quickExits },
    };
  }
  const delayMs = Math.min(policy.initialDelayMs * 2 ** restarts, policy.maxDelayMs);
  return { action: "restart", delayMs, history: { restarts: restarts + 1, quickExits } };
}

/**
 * The one list of worker roles. `workers/main.ts` builds each role's components from it (a
 * role without a builder does not compile), `npm run up` starts one process of each
 * (scripts/stack/stack-processes.ts), and tests/config/roles.test.ts holds docker-compose.yml
 * and the Prometheus scrape config to it. Adding a role: a line here, its builder in
 * main.ts, a compose service and a scrape target (the test says which are missing).
 */
export const WORKER_ROLES = {
  processor: "consumes the event topics: raw events, aggregates, offsets, live counters; closes windows",
  anomaly: "consumes closed windows: detector, anomalies, alert rules, notification outbox",
  alerts: "BullMQ worker: delivers webhook notifications, sweeps the outbox",
} as const;

export type WorkerRole = keyof typeof WORKER_ROLES;

export const workerRoleNames = Object.keys(WORKER_ROLES) as WorkerRole[];

/** Roles that scale by running more processes of them (`PROCESSORS=N npm run up`). */
export const SCALED_LOCALLY: readonly WorkerRole[] = ["processor"];

export function parseRole(argument: string | undefined): WorkerRole {
  const match = workerRoleNames.find((role) => role === argument);
  if (!match) {
    throw new Error(
      `Unknown worker role "${argument ?? ""}"; expected one of: ${workerRoleNames.join(", ")}`,
    );
  }
  return match;
}

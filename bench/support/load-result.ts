/**
 * What a load generator's run is worth: only requests answered 2xx count as throughput. Every
 * other answer and every transport error is a failure, counted by kind, never a rate.
 */

export const TRANSPORT_ERRORS = ["connect", "read", "write", "timeout"] as const;
export type TransportError = (typeof TRANSPORT_ERRORS)[number];

export interface LoadResult {
  seconds: number;
  /** responses by HTTP status */
  statuses: ReadonlyMap<number, number>;
  transportErrors: Readonly<Record<TransportError, number>>;
  p50Ms: number;
  p99Ms: number;
}

export interface RoundsSummary {
  /** medians over the rounds, of 2xx answers only */
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** failures of all rounds by kind ("HTTP 503", "connect error") */
  failures: Map<string, number>;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

export function successfulRequests(result: LoadResult): number {
  let ok = 0;
  for (const [status, count] of result.statuses) if (isSuccess(status)) ok += count;
  return ok;
}

/** Requests and events per second counted from the requests answered 2xx only. */
export function successThroughput(
  result: LoadResult,
  eventsPerRequest: number,
): { requestsPerSecond: number; eventsPerSecond: number } {
  const requestsPerSecond = result.seconds > 0 ? successfulRequests(result) / result.seconds : 0;
  return { requestsPerSecond, eventsPerSecond: requestsPerSecond * eventsPerRequest };
}

/**
 * Non-2xx answers by status and transport errors by kind, summed over `results`, and the
 * runs in which no request was answered 2xx.
 */
export function countFailures(results: readonly LoadResult[]): Map<string, number> {
  const failures = new Map<string, number>();
  const add = (kind: string, count: number) => {
    if (count > 0) failures.set(kind, (failures.get(kind) ?? 0) + count);
  };
  for (const result of results) {
    // a server that hangs answers nothing: no error from wrk, and no measurement either
    if (successfulRequests(result) === 0) add("run without a 2xx answer", 1);
    for (const [status, count] of result.statuses) if (!isSuccess(status)) add(`HTTP ${status}`, count);
    for (const kind of TRANSPORT_ERRORS) add(`${kind} error`, result.transportErrors[kind]);
  }
  // code-unit order: "HTTP 5xx" (three digits each) before the lower-case transport errors
  return new Map([...failures].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function formatFailures(failures: ReadonlyMap<string, number>): string {
  return failures.size === 0 ? "none" : [...failures].map(([kind, count]) => `${kind} x${count}`).join(", ");
}

export function summarizeRounds(results: readonly LoadResult[], eventsPerRequest: number): RoundsSummary {
  const rates = results.map((result) => successThroughput(result, eventsPerRequest));
  return {
    eventsPerSecond: median(rates.map((rate) => rate.eventsPerSecond)),
    requestsPerSecond: median(rates.map((rate) => rate.requestsPerSecond)),
    p50: median(results.map((result) => result.p50Ms)),
    p99: median(results.map((result) => result.p99Ms)),
    failures: countFailures(results),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Reads what the Lua script of `runWrk` writes: a RESULT line (wrk's totals, latency in µs,
 * transport errors) and one STATUS line per HTTP status per wrk thread.
 */
export function parseWrkReport(stdout: string): LoadResult {
  const result = /^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/m.exec(stdout);
  if (!result) throw new Error(`unexpected wrk output: ${stdout}`);
  const [requests, micros, p50, p99, connect, read, write, timeout] = result.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const statuses = new Map<number, number>();
  for (const [, status, count] of stdout.matchAll(/^STATUS (\d+) (\d+)$/gm))
    statuses.set(Number(status), (statuses.get(Number(status)) ?? 0) + Number(count));
  const answered = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  // TRICKY: the statuses are counted by our Lua callback and the total by wrk itself; if
  // they disagree some answers went uncounted and no figure of this run can be trusted
  if (answered !== requests)
    throw new Error(`wrk counted ${requests} responses but their statuses add up to ${answered}: ${stdout}`);
  return {
    seconds: micros / 1e6,
    statuses,
    transportErrors: { connect, read, write, timeout },
    p50Ms: p50 / 1000,
    p99Ms: p99 / 1000,
  };
}

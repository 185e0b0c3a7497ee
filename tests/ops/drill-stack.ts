/**
 * The restore drill's stack: a database of its own (it gets dropped), the web app and a
 * processor on it, and a control processor that reads the same topics into a second database
 * that is never lost: the state the restored one must reach.
 */
import type { ChildProcess } from "node:child_process";
import type postgres from "postgres";
import { freePort } from "../support/fault-stack";
import { spawnLogged, spawnProcessor, stopChild, testEnv } from "../support/stack";
import { waitFor } from "../support/wait-for";

export interface DrillStack {
  baseUrl: string;
  env: Record<string, string>;
  controlEnv: Record<string, string>;
  /** The port of the drill processor's /metrics. */
  processorMetricsPort: number;
  stop(): Promise<void>;
}

export async function startDrillStack(
  tag: string,
  databaseUrl: string,
  controlUrl: string,
  windowSizes: readonly number[],
): Promise<DrillStack> {
  const port = await freePort();
  const processorMetricsPort = await freePort();
  const env = {
    ...testEnv(tag, port),
    WEB_PROCESSES: "1",
    DATABASE_URL: databaseUrl,
    KAFKA_TOPIC_PREFIX: `drill-${tag}.`,
    PROCESSOR_GROUP_ID: `drill-processor-${tag}`,
    REDIS_KEY_PREFIX: `drill-${tag}:`,
    WINDOW_SIZES_SECONDS: windowSizes.join(","),
  };
  const controlEnv = {
    ...env,
    DATABASE_URL: controlUrl,
    PROCESSOR_GROUP_ID: `drill-control-${tag}`,
    REDIS_KEY_PREFIX: `drill-control-${tag}:`,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const children: ChildProcess[] = [
    spawnLogged(
      `drill-${tag}-web`,
      process.execPath,
      ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"],
      env,
    ),
    spawnProcessor(`drill-${tag}-processor`, { ...env, METRICS_PORT: String(processorMetricsPort) }),
    spawnProcessor(`drill-${tag}-control`, controlEnv),
  ];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    await waitFor(
      async () => {
        if (children.some((child) => child.exitCode !== null))
          throw new Error("a drill process exited early; see .local/test-logs");
        const response = await fetch(`${baseUrl}/api/health`).catch(() => undefined);
        return response?.ok === true;
      },
      { timeoutMs: 90_000, what: "the drill's web app to answer /api/health" },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, env, controlEnv, processorMetricsPort, stop };
}

/** A counter of a process's /metrics (0 when the series does not exist yet). */
export async function readCounter(port: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Every stored event, in one order, with every column a processor writes from the record. */
export function rawEventRows(sql: postgres.Sql) {
  return sql`
    select event_id, event_time, event_type, region, user_id, session_id, value, properties,
           received_at, correlation_id, source, late, late_windows, kafka_partition, kafka_offset
    from raw_events order by event_id, event_time`;
}

/** Every aggregate's figures; a sketch by what it estimates (its bytes depend on merge order). */
export function aggregationRows(sql: postgres.Sql) {
  return sql<{ value_sum: number | null }[]>`
    select window_start, window_seconds, event_type, region, event_count, value_count, value_sum,
           value_min, value_max, hll_cardinality(users) as users
    from aggregations order by window_seconds, window_start, event_type, region`;
}

/**
 * Rows of two ordered lists that differ, by their key columns (the first `limit`): each with
 * both sides, so that a failed comparison says what differs instead of "no visual difference".
 */
export function differingRows(
  left: readonly Record<string, unknown>[],
  right: readonly Record<string, unknown>[],
  keys: readonly string[],
  limit = 10,
): { key: string; restored?: unknown; control?: unknown }[] {
  const keyOf = (row: Record<string, unknown>) => JSON.stringify(keys.map((key) => row[key]));
  const index = new Map(right.map((row) => [keyOf(row), row]));
  const differences: { key: string; restored?: unknown; control?: unknown }[] = [];
  for (const row of left) {
    const key = keyOf(row);
    const other = index.get(key);
    index.delete(key);
    if (JSON.stringify(row) !== JSON.stringify(other))
      differences.push({ key, restored: row, control: other });
  }
  for (const [key, other] of index) differences.push({ key, control: other });
  return differences.slice(0, limit);
}

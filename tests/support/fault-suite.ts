/**
 * What every fault-test file shares: its own stack (started before its tests, stopped after
 * them, with every server left running), clients to check what the stack wrote, and the
 * exactness check run after each fault.
 */
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { expectExactlyOnce, waitForZeroLag } from "./exactness";
import { provisionCredentials, type TestCredentials } from "./credentials";
import { startFaultStack, type FaultStack } from "./fault-stack";
import { ensureServersRunning } from "./servers";

export interface FaultSuite {
  tag: string;
  sql: postgres.Sql;
  kafka: Kafka;
  /** The running stack (started by the suite's beforeAll). */
  stack(): FaultStack;
  /** Its ingest key and tokens (made by the suite's beforeAll). */
  credentials(): TestCredentials;
  /** An Authorization header: the ingest key, or a token of a role. */
  auth(as?: "ingest" | "admin" | "member" | "viewer"): Record<string, string>;
  /** Every acknowledged event of `region` stored once, aggregates exact, the processors caught up. */
  expectExactAndCaughtUp(
    region: string,
    report: { acked: Set<string>; attempted: Set<string> },
  ): Promise<void>;
}

export function useFaultSuite(windowSizes: readonly number[], env: Record<string, string>): FaultSuite {
  const tag = randomBytes(3).toString("hex");
  const sql = postgres("postgres://postgres@127.0.0.1:5432/analytics_test", {
    max: 2,
    onnotice: () => undefined,
  });
  const kafka = new Kafka({
    clientId: "fault-tests",
    brokers: ["127.0.0.1:9092"],
    logLevel: logLevel.NOTHING,
  });
  let stack: FaultStack | undefined;
  let credentials: TestCredentials | undefined;
  const currentCredentials = (): TestCredentials => {
    if (!credentials) throw new Error("the fault stack has not started");
    return credentials;
  };
  const current = (): FaultStack => {
    if (!stack) throw new Error("the fault stack has not started");
    return stack;
  };

  beforeAll(async () => {
    await ensureServersRunning();
    // the keys exist before the web processes start, so each has them in memory from its
    // first moment (a key made later is learnt within the directory's refresh, 5 s)
    credentials = await provisionCredentials(
      "postgres://postgres@127.0.0.1:5432/analytics_test",
      `fault-${tag}`,
    );
    stack = await startFaultStack(tag, { WINDOW_SIZES_SECONDS: windowSizes.join(","), ...env });
  });

  afterAll(async () => {
    await ensureServersRunning();
    await stack?.stop();
    await sql.end();
  });

  return {
    tag,
    sql,
    kafka,
    stack: current,
    credentials: currentCredentials,
    auth(as = "admin") {
      const { ingestKey, tokens } = currentCredentials();
      return { Authorization: `Bearer ${as === "ingest" ? ingestKey : tokens[as]}` };
    },
    async expectExactAndCaughtUp(region, report) {
      await expectExactlyOnce(sql, [region], report, windowSizes);
      const { env: stackEnv } = current();
      await waitForZeroLag(sql, kafka, stackEnv.PROCESSOR_GROUP_ID ?? "", stackEnv.KAFKA_TOPIC_PREFIX ?? "");
    },
  };
}

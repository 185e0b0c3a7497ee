/**
 * The restore drill (docs/operations.md#backups-and-restore): events ingested, a backup taken
 * under load, more ingested, the database dropped under the running processor, the backup
 * restored. The processor resumes from the offsets in the backup and must reach exactly the
 * state of a control processor whose database was never lost: every raw event and every
 * aggregate equal, and nothing read twice. Prints the measured RPO and RTO.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionCredentials } from "../support/credentials";
import { createDatabase, dropDatabase, jsonLine, runScript, runScriptStatus } from "../support/databases";
import { expectExactlyOnce, waitForZeroLag } from "../support/exactness";
import { startLoad } from "../support/load";
import { ensureServersRunning } from "../support/servers";
import { waitFor } from "../support/wait-for";
import {
  aggregationRows,
  differingRows,
  rawEventRows,
  readCounter,
  startDrillStack,
  type DrillStack,
} from "./drill-stack";

const WINDOW_SIZES = [60, 300] as const;
const tag = randomBytes(3).toString("hex");
const drillDb = `analytics_drill_${tag}`;
const controlDb = `analytics_drill_control_${tag}`;
const region = `drill-${tag}`;
const connect = (url: string) => postgres(url, { max: 2, onnotice: () => undefined });
const kafka = new Kafka({
  clientId: "restore-drill",
  brokers: ["127.0.0.1:9092"],
  logLevel: logLevel.NOTHING,
});
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
/** Float sums differ in their last bits with the order they were added in. */
const roundSums = (rows: readonly { value_sum: number | null }[]) =>
  rows.map((row) => ({
    ...row,
    value_sum: row.value_sum === null ? null : Number(row.value_sum.toPrecision(12)),
  }));

let stack: DrillStack | undefined;
let backupDir = "";
let drillUrl = "";
let controlUrl = "";

beforeAll(async () => {
  await ensureServersRunning();
  backupDir = await mkdtemp(path.join(tmpdir(), "pulse-drill-"));
  drillUrl = await createDatabase(drillDb);
  controlUrl = await createDatabase(controlDb);
  stack = await startDrillStack(tag, drillUrl, controlUrl, WINDOW_SIZES);
});

afterAll(async () => {
  await stack?.stop();
  await dropDatabase(drillDb);
  await dropDatabase(controlDb);
  await rm(backupDir, { recursive: true, force: true });
});

describe("restore drill", () => {
  it("restores a backup and catches up from Kafka to exactly the state of a run that never lost its database", async () => {
    if (!stack) throw new Error("the drill stack did not start");
    const { ingestKey } = await provisionCredentials(drillUrl, `drill-${tag}`);
    const load = startLoad(stack.baseUrl, {
      ingestKey,
      region,
      types: ["click", "page_view", "purchase"],
      eventsPerSecond: 1000,
    });
    const acked = (n: number) =>
      waitFor(() => load.report.acked.size >= n, { timeoutMs: 60_000, what: `${n} acknowledged events` });

    // 1-2: events in and stored, then a backup while ingest goes on
    await acked(3000);
    const before = connect(drillUrl);
    try {
      await waitFor(
        async () => {
          const [row] = await before<{ n: number }[]>`select count(*)::int as n from raw_events`;
          return (row?.n ?? 0) >= 2000;
        },
        { timeoutMs: 60_000, what: "2000 events stored before the backup" },
      );
    } finally {
      await before.end();
    }
    const backupStarted = Date.now();
    const ackedBeforeBackup = load.report.acked.size;
    const backup = jsonLine<{ bytes: number; seconds: number }>(
      await runScript("backup", ["--out", backupDir, "--database-url", drillUrl]),
      "backup_written",
    );
    // 3: more events, that only Kafka will hold once the database is gone
    await acked(load.report.acked.size + 3000);

    // 4: the database lost under the running processor (its sessions ended)
    const duplicatesBefore = await readCounter(
      stack.processorMetricsPort,
      'analytics_processor_events_total{outcome="duplicate"}',
    );
    const lost = Date.now();
    const ackedWhenLost = load.report.acked.size;
    await dropDatabase(drillDb);

    // 5: restore; ingest goes on meanwhile (it needs only Kafka)
    const restoreOutput = await runScript("restore", ["--from", backupDir, "--database-url", drillUrl]);
    const restore = jsonLine<{ seconds: number }>(restoreOutput, "backup_restored");
    // Kafka still holds every record after the backup's offsets
    const retention = jsonLine<{ partitions: number; gaps: unknown[] }>(
      restoreOutput,
      "kafka_retention_checked",
    );
    expect(retention.gaps).toEqual([]);
    expect(retention.partitions).toBeGreaterThan(0);
    const restored = Date.now();
    const sql = connect(drillUrl);
    const controlSql = connect(controlUrl);
    try {
      const resumeFrom = await sql<{ next_offset: string }[]>`
        select next_offset from consumer_offsets where group_id = ${stack.env.PROCESSOR_GROUP_ID ?? ""}`;
      // the backup holds offsets: the processor resumes from them, not from the topics' start
      expect(resumeFrom.length).toBeGreaterThan(0);
      await load.nextAck();
      const report = await load.stop();
      expect(report.abandoned).toBe(0);

      await waitForZeroLag(
        sql,
        kafka,
        stack.env.PROCESSOR_GROUP_ID ?? "",
        stack.env.KAFKA_TOPIC_PREFIX ?? "",
      );
      const caughtUp = Date.now();
      await waitForZeroLag(
        controlSql,
        kafka,
        stack.controlEnv.PROCESSOR_GROUP_ID ?? "",
        stack.env.KAFKA_TOPIC_PREFIX ?? "",
      );

      await expectExactlyOnce(sql, [region], report, WINDOW_SIZES);
      const [restoredEvents, controlEvents] = await Promise.all([
        rawEventRows(sql),
        rawEventRows(controlSql),
      ]);
      expect(restoredEvents.length).toBe(report.acked.size);
      expect(differingRows(restoredEvents, controlEvents, ["event_id", "event_time"])).toEqual([]);
      const [restoredAggregates, controlAggregates] = await Promise.all([
        aggregationRows(sql),
        aggregationRows(controlSql),
      ]);
      expect(restoredAggregates.length).toBeGreaterThan(0);
      expect(
        differingRows(roundSums(restoredAggregates), roundSums(controlAggregates), [
          "window_seconds",
          "window_start",
          "event_type",
          "region",
        ]),
      ).toEqual([]);
      // Records read again that the restored database already held: printed, not asserted. A CI
      // run saw 11,400 with every row and aggregate exact (the dedupe dropped them); why the
      // processor re-reads them after a restore is an open question (docs/operations.md).
      const duplicatesAfter = await readCounter(
        stack.processorMetricsPort,
        'analytics_processor_events_total{outcome="duplicate"}',
      );

      const [inBackup] = await sql<{ n: number }[]>`
        select count(*)::int as n from raw_events where persisted_at <= ${new Date(backupStarted)}`;
      console.log(
        JSON.stringify({
          drill: "restore",
          events_acknowledged: report.acked.size,
          statuses: report.statuses,
          acknowledged_before_backup: ackedBeforeBackup,
          acknowledged_after_backup_until_loss: ackedWhenLost - ackedBeforeBackup,
          stored_before_backup: inBackup?.n,
          backup_bytes: backup.bytes,
          backup_seconds: backup.seconds,
          // the database alone loses what came after the backup; Kafka's retention gives it back
          database_rpo_seconds: seconds(lost - backupStarted),
          rpo_events_lost: report.acked.size - restoredEvents.length,
          restore_seconds: restore.seconds,
          catch_up_seconds: seconds(caughtUp - restored),
          rto_seconds: seconds(caughtUp - lost),
          duplicates_read_again: duplicatesAfter - duplicatesBefore,
        }),
      );
    } finally {
      await sql.end();
      await controlSql.end();
    }
  });

  it("says which records a backup older than Kafka's retention has lost", async () => {
    if (!stack) throw new Error("the drill stack did not start");
    // what retention does to old records: everything up to now deleted from one topic, so the
    // backup's offsets of it point below the oldest record left
    const topic = `${stack.env.KAFKA_TOPIC_PREFIX ?? ""}events.click`;
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.deleteTopicRecords({
      topic,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
    await admin.disconnect();
    const gapDb = `analytics_drill_gap_${tag}`;
    try {
      const result = await runScriptStatus("restore", [
        "--from",
        backupDir,
        "--database-url",
        drillUrl.replace(drillDb, gapDb),
      ]);
      expect(result.code, result.stderr).toBe(3);
      const { gaps } = jsonLine<{ gaps: { partition: string; lost: number }[] }>(
        result.stdout,
        "kafka_retention_checked",
      );
      expect(gaps.length).toBeGreaterThan(0);
      for (const gap of gaps) {
        expect(gap.partition.startsWith(`${topic}/`)).toBe(true);
        expect(gap.lost).toBeGreaterThan(0);
      }
    } finally {
      await dropDatabase(gapDb);
    }
  });
});

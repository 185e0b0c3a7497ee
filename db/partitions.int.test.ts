/**
 * Several processes create the same day partitions at once (processors meeting a new day's
 * first events, the retention job): every call succeeds and each day is made once. Before
 * migration 0010, the calls that lost the race failed with "relation ... already exists".
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { getEnv } from "@/lib/env";
import { ADVISORY_LOCK_KEYS } from "./advisory-locks";
import { ensureRawEventPartitions } from "./partitions";

const DAY_MS = 86_400_000;
// days no other test touches; dropped afterwards
const FIRST_DAY = Date.UTC(2098, 0, 1);
const TRIALS = 4;
const DAYS_PER_TRIAL = 3;
const PROCESSES = 8;

const connect = () => postgres(getEnv().DATABASE_URL, { max: 1, onnotice: () => undefined });
const admin = connect();
// one connection each, as separate processes have
const clients = Array.from({ length: PROCESSES }, connect);

function partitionName(dayMs: number): string {
  return `raw_events_${new Date(dayMs).toISOString().slice(0, 10).replaceAll("-", "")}`;
}

async function existing(names: string[]): Promise<string[]> {
  const rows = await admin<{ name: string }[]>`
    select relname as name from pg_class where relname in ${admin(names)}`;
  return rows.map((row) => row.name).sort();
}

afterAll(async () => {
  for (let day = 0; day < TRIALS * DAYS_PER_TRIAL; day++)
    await admin.unsafe(`drop table if exists ${partitionName(FIRST_DAY + day * DAY_MS)}`);
  await Promise.all([admin, ...clients].map((client) => client.end()));
});

describe("ensure_raw_events_partitions called by several processes at once", () => {
  it("takes the advisory lock key the registry lists for it", async () => {
    const [row] = await admin<{ key: number }[]>`select hashtext('ensure_raw_events_partitions') as key`;
    expect(row?.key).toBe(ADVISORY_LOCK_KEYS.partitionCreation);
    const [source] = await admin<{ text: string }[]>`
      select prosrc as text from pg_proc where proname = 'ensure_raw_events_partitions'`;
    expect(source?.text).toContain("pg_advisory_xact_lock(hashtext('ensure_raw_events_partitions'))");
  });

  it("succeeds in every process and creates each day once", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const from = FIRST_DAY + trial * DAYS_PER_TRIAL * DAY_MS;
      const to = from + (DAYS_PER_TRIAL - 1) * DAY_MS;
      const names = Array.from({ length: DAYS_PER_TRIAL }, (_, day) => partitionName(from + day * DAY_MS));
      expect(await existing(names)).toEqual([]);
      const results = await Promise.allSettled(
        clients.map((client) => ensureRawEventPartitions(client, from, to)),
      );
      const failed = results.flatMap((result) =>
        result.status === "rejected" ? [String(result.reason)] : [],
      );
      expect(failed).toEqual([]);
      const created = results.reduce(
        (sum, result) => sum + (result.status === "fulfilled" ? result.value : 0),
        0,
      );
      expect(created).toBe(DAYS_PER_TRIAL);
      expect(await existing(names)).toEqual([...names].sort());
    }
  });
});

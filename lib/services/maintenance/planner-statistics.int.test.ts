import { afterAll, describe, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { waitFor } from "@/tests/support/wait-for";
import { createStatisticsKeeper, todaysPartition } from "./planner-statistics";

afterAll(() => closeDb());

async function lastAnalyze(partition: string): Promise<number> {
  const [row] = await getSql()<{ at: Date | null }[]>`
    select last_analyze as at from pg_stat_user_tables where relid = to_regclass(${partition})`;
  return row?.at ? new Date(row.at).getTime() : 0;
}

describe("planner statistics of today's raw_events partition", () => {
  it("are refreshed once enough rows were written", async () => {
    const partition = todaysPartition(Date.now());
    await getSql()`select ensure_raw_events_partitions(current_date, current_date)`;
    const before = await lastAnalyze(partition);
    const keep = createStatisticsKeeper(getSql());
    keep(60_000);
    await waitFor(async () => (await lastAnalyze(partition)) > before, {
      what: `an ANALYZE of ${partition}`,
    });
  });
});

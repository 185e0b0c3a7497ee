/**
 * `npm run replay -- --from <time> --to <time>`: rebuilds the aggregates of a time range from
 * raw_events, idempotently, while ingestion goes on. Times are ISO 8601 or epoch ms; the
 * range is widened to whole windows.
 */
import { parseArgs } from "node:util";
import { closeDb, getSql } from "@/db/client";
import { rebuildRange } from "@/lib/services/aggregations/rebuild-range";
import { aggregationConfigFromEnv } from "@/lib/services/events/aggregation-config";

function parseTime(name: string, raw: string | undefined): number {
  const value = raw === undefined ? Number.NaN : /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    console.error(`--${name} must be an ISO 8601 time or epoch milliseconds, got "${raw ?? ""}"`);
    process.exit(2);
  }
  return value;
}

const { values } = parseArgs({ options: { from: { type: "string" }, to: { type: "string" } } });
const from = parseTime("from", values.from);
const to = parseTime("to", values.to);
if (to <= from) {
  console.error("--to must be after --from");
  process.exit(2);
}
try {
  const results = await rebuildRange(getSql(), from, to, aggregationConfigFromEnv());
  for (const result of results) {
    console.log(
      `${result.from} .. ${result.to}: ${result.windowsDeleted} window rows replaced by ${result.windowsWritten}`,
    );
  }
} finally {
  await closeDb();
}

// Streams a `timestamp,value` CSV from stdin and writes `timestamp,value,anomaly_score` to stdout,
// one output row per input row, scoring each row online (no look-ahead).
// Usage: npm run detect -- < series.csv > scores.csv
import { createInterface } from "node:readline";

import { createDetector } from "../lib/domain/detection/detector";

/** Parses `2014-04-01 00:00:00` (no zone, taken as UTC) or any ISO-8601 form; NaN if unparseable. */
function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  const iso = trimmed.includes("T") ? trimmed : trimmed.replace(" ", "T");
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(iso);
  return Date.parse(hasZone ? iso : `${iso}Z`);
}

function formatScore(score: number): string {
  return score === 0 ? "0" : score.toFixed(8);
}

async function main(): Promise<void> {
  const detector = createDetector();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let first = true;
  let lastTimestamp = 0;
  let buffer: string[] = ["timestamp,value,anomaly_score"];

  let scheduled = false;
  const flush = async (): Promise<void> => {
    scheduled = false;
    if (buffer.length === 0) return;
    const chunk = `${buffer.join("\n")}\n`;
    buffer = [];
    if (!process.stdout.write(chunk)) {
      await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
    }
  };
  // Rows that arrive together are written together; a slow producer still sees each row promptly.
  const scheduleFlush = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  for await (const raw of lines) {
    const line = first ? raw.replace(/^\uFEFF/, "") : raw;
    const isHeader = first && /^\s*timestamp\s*,/i.test(line);
    first = false;
    if (isHeader || line.trim() === "") continue;
    const comma = line.indexOf(",");
    const timestampText = comma >= 0 ? line.slice(0, comma) : line;
    const valueText = comma >= 0 ? line.slice(comma + 1) : "";
    const parsed = parseTimestamp(timestampText);
    // An unparseable timestamp keeps the clock where it was rather than dropping the row.
    if (Number.isFinite(parsed)) lastTimestamp = parsed;
    const value = valueText.trim() === "" ? Number.NaN : Number(valueText);
    const { score } = detector.update({ timestamp: lastTimestamp, value });
    buffer.push(`${timestampText},${valueText},${formatScore(score)}`);
    if (buffer.length >= 4096) await flush();
    else scheduleFlush();
  }
  await flush();
}

process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // A closed pipe (e.g. `| head`) is a normal way for a consumer to stop reading.
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

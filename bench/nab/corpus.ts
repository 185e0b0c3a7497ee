// Loads the NAB files present on disk (tuning subset) with their labelled windows.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { buildLayout, parseNabTimestamp, type ScoringLayout } from "./scorer";

export interface NabSeries {
  readonly name: string;
  readonly category: string;
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  readonly layout: ScoringLayout;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function resolveNabDir(): string {
  const fromEnv = process.env.NAB_DIR;
  return fromEnv !== undefined && fromEnv !== ""
    ? path.resolve(fromEnv)
    : path.resolve(repoRoot, "..", "shared", "datasets", "nab");
}

export function parseSeriesCsv(text: string): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === "") continue;
    const comma = line.indexOf(",");
    timestamps.push(parseNabTimestamp(line.slice(0, comma)));
    values.push(Number(line.slice(comma + 1)));
  }
  return { timestamps, values };
}

/** Loads every labelled series under NAB_DIR, optionally only names containing `filter`. */
export function loadNabCorpus(filter?: string): NabSeries[] {
  const dir = resolveNabDir();
  const windowsPath = path.join(dir, "labels", "combined_windows.json");
  if (!existsSync(windowsPath)) throw new Error(`NAB labels not found at ${windowsPath} (set NAB_DIR)`);
  const labels = JSON.parse(readFileSync(windowsPath, "utf8")) as Record<string, [string, string][]>;
  const series: NabSeries[] = [];
  const dataDir = path.join(dir, "data");
  for (const category of readdirSync(dataDir).sort()) {
    for (const file of readdirSync(path.join(dataDir, category)).sort()) {
      if (!file.endsWith(".csv")) continue;
      const name = `${category}/${file}`;
      if (filter !== undefined && !name.includes(filter)) continue;
      const windows = labels[name];
      if (windows === undefined) continue;
      const { timestamps, values } = parseSeriesCsv(readFileSync(path.join(dataDir, name), "utf8"));
      const limits = windows.map(
        ([start, end]) => [parseNabTimestamp(start), parseNabTimestamp(end)] as const,
      );
      series.push({ name, category, timestamps, values, layout: buildLayout(name, timestamps, limits) });
    }
  }
  return series;
}

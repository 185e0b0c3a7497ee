// NAB score and throughput of the streaming detector, next to a windowed-Gaussian baseline.
// Usage: npm run bench:detector [-- --file <name part>] [--files] [--no-cross-check] [--runs N]
import { performance } from "node:perf_hooks";

import { createDetector, type DetectorOptions } from "../workers/detection/detector";
import { loadNabCorpus, resolveNabDir, type NabSeries } from "./nab/corpus";
import { crossCheck, runScorer, scoreAllProfiles, type SeriesScorer } from "./nab/evaluate";
import { normalizeScore, PROFILES, type ProfileResult } from "./nab/scorer";
import { createWindowedGaussian } from "./nab/windowed-gaussian";

const args = process.argv.slice(2);
const flagValue = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fileFilter = flagValue("--file");
const runs = Number(flagValue("--runs") ?? 5);
const showFiles = args.includes("--files") || fileFilter !== undefined;
const doCrossCheck = !args.includes("--no-cross-check") && fileFilter === undefined;

const detectorScorer =
  (options: Partial<DetectorOptions> = {}): SeriesScorer =>
  (series) => {
    const detector = createDetector(options);
    const out = new Float64Array(series.values.length);
    series.values.forEach((value, i) => {
      out[i] = detector.update({ timestamp: series.timestamps[i] ?? 0, value }).score;
    });
    return out;
  };

const baselineScorer: SeriesScorer = (series) => {
  const detector = createWindowedGaussian();
  return Float64Array.from(series.values, (value) => detector.update(value));
};

function printProfiles(label: string, results: readonly ProfileResult[]): void {
  const cells = results.map((r) => `${r.normalized.toFixed(1).padStart(6)} @${r.threshold.toFixed(3)}`);
  console.log(`${label.padEnd(22)}${cells.map((c) => c.padEnd(20)).join("")}`);
}

function printCategories(results: ProfileResult, corpus: readonly NabSeries[]): void {
  const profile = PROFILES.find((p) => p.name === results.profile) ?? PROFILES[0];
  if (profile === undefined) return;
  console.log(`\nPer category (${results.profile} profile, threshold ${results.threshold.toFixed(3)}):`);
  console.log(`${"category".padEnd(24)}files windows detected   FPs     raw  score`);
  const categories = [...new Set(corpus.map((s) => s.category))];
  for (const category of categories) {
    const files = results.files.filter((f) => f.category === category);
    const windows = files.reduce((s, f) => s + f.windows, 0);
    const raw = files.reduce((s, f) => s + f.raw, 0);
    const detected = files.reduce((s, f) => s + f.detected, 0);
    const fps = files.reduce((s, f) => s + f.falsePositives, 0);
    const score = windows > 0 ? normalizeScore(raw, windows, profile).toFixed(1) : "n/a";
    console.log(
      `${category.padEnd(24)}${String(files.length).padStart(5)}${String(windows).padStart(8)}${String(detected).padStart(9)}${String(fps).padStart(6)}${raw.toFixed(2).padStart(8)}${score.padStart(7)}`,
    );
  }
  if (!showFiles) return;
  console.log("\nPer file:");
  for (const f of results.files) {
    console.log(
      `${f.name.padEnd(56)}${f.detected}/${f.windows} windows  ${f.falsePositives} FPs  raw ${f.raw.toFixed(2)}`,
    );
  }
}

/** Deterministic 20,000-point 5-minute series: daily cycle, noise, a few spikes and a level shift. */
function buildThroughputSeries(): { timestamps: number[]; values: number[] } {
  let seed = 12345;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const timestamps: number[] = [];
  const values: number[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 20_000; i++) {
    timestamps.push(start + i * 300_000);
    const daily = 50 + 20 * Math.sin((2 * Math.PI * i) / 288);
    const shift = i > 15_000 ? 15 : 0;
    const spike = i % 4_000 === 3_999 ? 60 : 0;
    values.push(daily + shift + spike + 5 * (random() + random() + random() - 1.5));
  }
  return { timestamps, values };
}

function measureThroughput(run: () => void, n: number): number {
  const rates: number[] = [];
  run();
  for (let r = 0; r < Math.max(1, runs); r++) {
    const start = performance.now();
    run();
    rates.push(n / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

function main(): void {
  const corpus = loadNabCorpus(fileFilter);
  if (corpus.length > 0) {
    const rows = corpus.reduce((s, c) => s + c.values.length, 0);
    const windows = corpus.reduce((s, c) => s + c.layout.windowCount, 0);
    console.log(
      `NAB files: ${corpus.length}, rows: ${rows}, scored windows: ${windows} (${resolveNabDir()})\n`,
    );
    console.log(`${"detector".padEnd(22)}${PROFILES.map((p) => p.name.padEnd(20)).join("")}`);
    const detectorResults = scoreAllProfiles(corpus, runScorer(corpus, detectorScorer()));
    const baselineResults = scoreAllProfiles(corpus, runScorer(corpus, baselineScorer));
    const noContextResults = scoreAllProfiles(
      corpus,
      runScorer(corpus, detectorScorer({ contextWeight: 0 })),
    );
    printProfiles("detector", detectorResults);
    printProfiles("  without context", noContextResults);
    printProfiles("windowed gaussian", baselineResults);
    for (const result of detectorResults) printCategories(result, corpus);
    if (doCrossCheck) printCrossCheck(corpus);
  } else {
    console.log(`No NAB files found under ${resolveNabDir()} (set NAB_DIR); skipping scores.`);
  }

  const series = buildThroughputSeries();
  const n = series.values.length;
  const detectorRate = measureThroughput(() => {
    const detector = createDetector();
    for (let i = 0; i < n; i++)
      detector.update({ timestamp: series.timestamps[i] ?? 0, value: series.values[i] ?? 0 });
  }, n);
  const baselineRate = measureThroughput(() => {
    const baseline = createWindowedGaussian();
    for (let i = 0; i < n; i++) baseline.update(series.values[i] ?? 0);
  }, n);
  const stateBytes = (() => {
    const detector = createDetector();
    for (let i = 0; i < n; i++)
      detector.update({ timestamp: series.timestamps[i] ?? 0, value: series.values[i] ?? 0 });
    return detector.serialize().length;
  })();
  console.log(`\nThroughput on a ${n}-point series, median of ${runs} runs, single thread:`);
  console.log(
    `  detector          ${Math.round(detectorRate).toLocaleString("en-US").padStart(12)} points/s`,
  );
  console.log(
    `  windowed gaussian ${Math.round(baselineRate).toLocaleString("en-US").padStart(12)} points/s`,
  );
  console.log(`  ratio detector/baseline ${(detectorRate / baselineRate).toFixed(2)}`);
  console.log(`  serialized state after ${n} points: ${stateBytes} bytes of JSON`);
}

function printCrossCheck(corpus: readonly NabSeries[]): void {
  const variants: { name: string; options: Partial<DetectorOptions> }[] = [];
  for (const refractory of [50, 100, 200]) {
    for (const recordWeight of [20, 30, 40]) {
      for (const tailMemory of [1000, 3000]) {
        variants.push({
          name: `refractory=${refractory} recordWeight=${recordWeight} tailMemory=${tailMemory}`,
          options: { refractory, recordWeight, tailMemory },
        });
      }
    }
  }
  const scores = variants.map((v) => runScorer(corpus, detectorScorer(v.options)));
  const check = crossCheck(
    corpus,
    variants.map((v) => v.name),
    scores,
  );
  console.log(`\nOverfitting cross-check (standard profile, ${variants.length} parameter variants):`);
  for (const h of check.halves) {
    console.log(
      `  tuned on half ${h.tunedOn}: ${h.tuned.toFixed(1)} there, ${h.heldOut.toFixed(1)} on the other half (${h.picked})`,
    );
  }
  console.log(`  leave-one-category-out: ${check.leaveOneCategoryOut.toFixed(1)}`);
  for (const [category, picked] of Object.entries(check.picks))
    console.log(`    without ${category}: ${picked}`);
}

main();

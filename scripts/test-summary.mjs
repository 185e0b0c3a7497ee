// Sums the JSON reports of every suite into the one closing line "N passed, N failed".
import { existsSync, readFileSync } from "node:fs";

const dir = ".local/test-results";
const verifyFailed = process.argv[2] === "1";
let passed = 0;
let failed = verifyFailed ? 1 : 0;
const lines = [];

for (const suite of ["unit", "integration", "faults", "ops", "cluster"]) {
  const file = `${dir}/${suite}.json`;
  if (!existsSync(file)) {
    failed += 1;
    lines.push(`${suite}: no report (the run crashed)`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  const suiteFailed = report.numFailedTests + (report.numTotalTests === 0 ? 1 : 0);
  const suiteErrors = report.success === false && report.numFailedTests === 0 ? 1 : 0;
  passed += report.numPassedTests;
  failed += suiteFailed + suiteErrors;
  lines.push(`${suite}: ${report.numPassedTests} passed, ${suiteFailed + suiteErrors} failed`);
}

const e2eFile = `${dir}/e2e.json`;
if (existsSync(e2eFile)) {
  const { stats } = JSON.parse(readFileSync(e2eFile, "utf8"));
  const e2eFailed = stats.unexpected + (stats.expected + stats.flaky === 0 ? 1 : 0);
  passed += stats.expected + stats.flaky;
  failed += e2eFailed;
  lines.push(`browser: ${stats.expected + stats.flaky} passed, ${e2eFailed} failed`);
} else {
  failed += 1;
  lines.push("browser: no report (the run crashed)");
}
if (verifyFailed) lines.push("verify: failed (format, lint or types)");

for (const line of lines) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

/**
 * `npm run bench [-- <name> ...]`: runs the named benchmarks (ingest, pipeline, live,
 * detector, route) one after another, or all of them, each printing its figures next to its
 * same-run baseline. Extra arguments after `--` go to every benchmark.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const BENCHES = ["ingest", "pipeline", "live", "detector", "route"] as const;
// these import server-only services (ingest, credentials), which load under the react-server condition
const NODE_ARGS: Partial<Record<(typeof BENCHES)[number], string[]>> = {
  route: ["--conditions=react-server"],
  ingest: ["--conditions=react-server"],
  live: ["--conditions=react-server"],
};
const args = process.argv.slice(2);
const separator = args.indexOf("--");
const names = (separator === -1 ? args : args.slice(0, separator)).filter((arg) => !arg.startsWith("-"));
const passThrough = separator === -1 ? args.filter((arg) => arg.startsWith("-")) : args.slice(separator + 1);
const unknown = names.filter((name) => !(BENCHES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${BENCHES.join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const name of names.length > 0 ? names : BENCHES) {
  console.log(`\n=== bench:${name} ===`);
  const file = path.join(import.meta.dirname, `${name}.bench.ts`);
  const nodeArgs = NODE_ARGS[name as (typeof BENCHES)[number]] ?? [];
  const result = spawnSync(process.execPath, [...nodeArgs, "--import", "tsx", file, ...passThrough], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);

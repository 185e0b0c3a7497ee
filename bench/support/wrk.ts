import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface LoadResult {
  requests: number;
  non2xx: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

const SCRIPT = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
`;

/** Drives `url` with wrk (C, so the load generator takes little of the 2 cores) for `seconds`. */
export async function runWrk(
  url: string,
  body: string,
  {
    seconds,
    connections,
    threads = 1,
    workDir,
  }: { seconds: number; connections: number; threads?: number; workDir: string },
): Promise<LoadResult> {
  const bodyFile = path.join(workDir, `body-${body.length}.json`);
  const scriptFile = path.join(workDir, "post.lua");
  await writeFile(bodyFile, body);
  await writeFile(scriptFile, SCRIPT);
  const { stdout } = await run(
    "wrk",
    [
      "-t",
      String(threads),
      "-c",
      String(connections),
      "-d",
      `${seconds}s`,
      "--timeout",
      "10s",
      "-s",
      scriptFile,
      url,
    ],
    { env: { ...process.env, WRK_BODY_FILE: bodyFile }, maxBuffer: 1 << 20 },
  );
  const match = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(stdout);
  if (!match) throw new Error(`unexpected wrk output: ${stdout}`);
  const [requests, non2xx, p50, p99, micros] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    requests,
    non2xx,
    seconds: micros / 1e6,
    p50Ms: p50 / 1000,
    p99Ms: p99 / 1000,
    requestsPerSecond: requests / (micros / 1e6),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

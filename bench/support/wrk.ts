import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { parseWrkReport, type LoadResult } from "./load-result";
import { sh } from "./servers";

export { median } from "./load-result";

const run = promisify(execFile);

// Each wrk thread runs its own Lua state: response() counts that thread's answers by status,
// done() (in the main state) collects every thread's counts through setup()'s handles.
const SCRIPT = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) statuses = {} end
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.timeout))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("STATUS %d %d\\n", status, count))
    end
  end
end
`;

/**
 * Drives `url` with wrk (C, so the load generator takes little of the 2 cores) for `seconds`.
 * The result holds every answer by status and every transport error: count throughput from
 * it with `successThroughput`, never from wrk's request total.
 */
export async function runWrk(
  url: string,
  body: string,
  {
    seconds,
    connections,
    threads = 1,
    workDir,
    headers = {},
    tag = "",
  }: {
    seconds: number;
    connections: number;
    threads?: number;
    workDir: string;
    headers?: Record<string, string>;
    /** names this run's body file: two runs at once must not rewrite the file the other reads */
    tag?: string;
  },
): Promise<LoadResult> {
  const bodyFile = path.join(workDir, `body-${tag}${body.length}.json`);
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
      ...Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
      "-s",
      scriptFile,
      url,
    ],
    { env: { ...process.env, WRK_BODY_FILE: bodyFile }, maxBuffer: 1 << 20 },
  );
  return parseWrkReport(stdout);
}

/** Installs wrk (Debian's package) when it is missing. */
export async function ensureWrk(): Promise<void> {
  try {
    await sh("wrk", ["--version"]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return; // wrk --version exits 1
    console.log("installing wrk (Debian package) ...");
    await sh("apt-get", ["install", "-y", "-qq", "wrk"]);
  }
}

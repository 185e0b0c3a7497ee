import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { spawnLogged } from "../tests/support/stack";
import { stackEnv } from "./support/auth";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/analytics_test";

/** One of the project's own commands (`npm run keys`, `npm run simulate`), as a user runs it. */
async function command(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", `scripts/${script}.ts`, ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL, LOG_LEVEL: "warn" }, timeout: 240_000 },
  );
  return stdout.trim();
}

// Nothing is inserted by the test: a fresh project gets two hours of history with a spike near its
// end through the simulator's backfill (POST /api/events with past timestamps), and the whole
// pipeline (processor, window closer, anomaly worker) must find it.
test("a backfilled history with a spike shows the spike on the Anomalies page within minutes", async ({
  page,
  context,
  baseURL,
}) => {
  test.setTimeout(300_000);
  // the stack's own anomaly worker (the browser tests' stack runs the web app and a processor)
  const tag = randomBytes(4).toString("hex");
  const worker = spawnLogged(
    `e2e-backfill-anomaly-${tag}`,
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "workers/main.ts", "anomaly"],
    { ...stackEnv(), ANOMALY_GROUP_ID: `e2e-backfill-anomaly-${tag}`, METRICS_PORT: "0" },
  );
  try {
    await backfillAndFindTheSpike(page, context, baseURL);
  } finally {
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.kill("SIGTERM");
    await exited;
  }
});

async function backfillAndFindTheSpike(page: Page, context: BrowserContext, baseURL: string | undefined) {
  const project = `e2e-backfill-${randomBytes(4).toString("hex")}`;
  await command("keys", ["project", "create", project, "--name", "Backfill demo"]);
  const key = (await command("keys", ["create", "--project", project, "--name", "simulate"]))
    .split("\n")
    .at(-1);
  if (!key) throw new Error("no ingest key printed");

  // 2 h at 20 events/s; purchases ten-fold for 4 minutes, 10 minutes before now
  const output = await command("simulate", [
    ...["--url", baseURL ?? "", "--key", key, "--rate", "20", "--backfill", "2h", "--duration", "0"],
    ...["--types", "page_view,click,purchase", "--regions", "eu,us", "--spike", "purchase:10:6600:240"],
    ...["--batch", "200", "--concurrency", "4", "--seed", "11"],
  ]);
  const summary = JSON.parse(output.split("\n").at(-1) ?? "{}") as { accepted: number; failed: number };
  expect(summary.failed).toBe(0);
  expect(summary.accepted).toBeGreaterThan(140_000);

  const origin = new URL(baseURL ?? "http://127.0.0.1").hostname;
  await context.addCookies([{ name: "pulse_project", value: project, domain: origin, path: "/" }]);
  await page.goto("/anomalies");
  await expect(page.getByTestId("project-switcher")).toHaveValue(project);
  // the purchase count series of all regions: its card is named after the metric and the series
  const card = page.getByRole("region", { name: "Events spike · purchase · all regions" });
  await expect
    .poll(
      async () => {
        await page.reload();
        return card.isVisible();
      },
      { timeout: 180_000, intervals: [2_000], message: "the purchase spike on the Anomalies page" },
    )
    .toBe(true);
  // the series had about 110 windows behind it, fewer than the full warm-up: the card says so
  await expect(card.getByText("warming up")).toBeVisible();
}

import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";

const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/analytics_test";
const STEP = 300_000;

test("the anomalies page shows an injected anomaly with its chart, and takes acknowledge", async ({
  page,
}) => {
  const tag = randomBytes(4).toString("hex");
  const eventType = `e2e_anomaly_${tag}`;
  const spikeStart = Math.floor(Date.now() / STEP) * STEP - 10 * STEP;
  const context = Array.from({ length: 36 }, (_, i) => {
    const start = spikeStart - (35 - i) * STEP;
    const spike = i === 35;
    return {
      window_start: new Date(start).toISOString(),
      observed: spike ? 950 : 100 + ((i * 7) % 13),
      expected: 104,
      lower: 80,
      upper: 128,
      score: spike ? 0.97 : 0.01,
    };
  });
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => undefined });
  let id: number;
  try {
    const [row] = await sql<{ id: number }[]>`
      insert into anomalies (event_type, region, metric, window_start, window_seconds, observed, expected,
                             lower, upper, score, direction, severity, status, context)
      values (${eventType}, '*', 'count', ${new Date(spikeStart)}, 300, 950, 104, 80, 128, 0.97, 'spike',
              'critical', 'open', ${sql.json(context)})
      returning id`;
    id = Number(row?.id);
  } finally {
    await sql.end();
  }

  await page.goto("/anomalies");
  await page.getByLabel("Event type").fill(eventType);
  await page.getByRole("button", { name: "Apply" }).click();
  const card = page.getByRole("region", { name: new RegExp(eventType) });
  await expect(card).toBeVisible();
  await expect(card).toContainText("critical");
  await expect(card).toContainText("950");
  // The chart: observed line, expected band and the marked anomalous point.
  const chart = card.getByRole("img", { name: /observed against the expected band/ });
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart.locator(".recharts-reference-dot")).toHaveCount(1);
  await expect(chart.locator(".recharts-area")).toHaveCount(1);

  await card.getByRole("button", { name: "Acknowledge" }).click();
  await expect(card).toContainText("acknowledged");

  await card.getByTestId("anomaly-link").click();
  await expect(page).toHaveURL(new RegExp(`/anomalies/${id}$`));
  await expect(
    page
      .getByRole("img", { name: /the series around it/ })
      .locator("svg.recharts-surface")
      .first(),
  ).toBeVisible();
  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByText("resolved", { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("anomaly.png"), fullPage: true });
});

import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { auth } from "./support/auth";

const screenshot = (name: string) =>
  fileURLToPath(new URL(`../.local/e2e-results/${name}.png`, import.meta.url));

async function waitUntilStored(request: APIRequestContext, region: string, count: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const response = await request.get(`/api/events?region=${region}&limit=1000`, {
          headers: auth("viewer"),
        });
        return ((await response.json()) as { data: unknown[] }).data.length;
      },
      { timeout: 20_000, message: `${count} events of region ${region} stored` },
    )
    .toBe(count);
}

test("the explorer filters by type and region, keeps the filter in the URL, and across a reload", async ({
  page,
  request,
}) => {
  const suffix = randomBytes(4).toString("hex");
  const regionA = `e2e-a-${suffix}`;
  const regionB = `e2e-b-${suffix}`;
  const events = [regionA, regionB].flatMap((region) =>
    ["purchase", "click"].flatMap((event_type) =>
      Array.from({ length: 3 }, (_, i) => ({
        event_type,
        region,
        user_id: `u-${suffix}-${i}`,
        properties: { plan: i === 0 ? "pro" : "free" },
      })),
    ),
  );
  expect((await request.post("/api/events", { data: events, headers: auth("ingest") })).status()).toBe(202);
  await waitUntilStored(request, regionA, 6);
  await waitUntilStored(request, regionB, 6);

  await page.goto("/events");
  await page.getByLabel("Event type", { exact: true }).fill("purchase");
  await page.getByLabel("Region", { exact: true }).fill(regionA);
  await page.getByRole("button", { name: "Apply" }).click();

  await expect(page).toHaveURL(new RegExp(`[?&]event_type=purchase(&|$)`));
  await expect(page).toHaveURL(new RegExp(`[?&]region=${regionA}(&|$)`));
  const rows = page.getByTestId("event-row");
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId("event-type")).toHaveText(["purchase", "purchase", "purchase"]);
  await expect(page.getByTestId("event-region")).toHaveText([regionA, regionA, regionA]);

  await page.reload();
  await expect(page.getByLabel("Event type", { exact: true })).toHaveValue("purchase");
  await expect(page.getByLabel("Region", { exact: true })).toHaveValue(regionA);
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId("event-region")).toHaveText([regionA, regionA, regionA]);

  // A row opens the event's full JSON.
  await rows.first().click();
  const json = page.getByTestId("event-json");
  await expect(json).toContainText(`"region": "${regionA}"`);
  await expect(json).toContainText(`"event_type": "purchase"`);
  await page.screenshot({ path: screenshot("events-explorer"), fullPage: true });
  await page.keyboard.press("Escape");
  await expect(json).toBeHidden();

  // The CSV export carries the same filter.
  const csv = await request.get(`/api/events/export?format=csv&event_type=purchase&region=${regionA}`, {
    headers: auth("viewer"),
  });
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toMatch(/^event_id,timestamp,/);
  expect(lines).toHaveLength(4);
  for (const line of lines.slice(1)) expect(line).toContain(`,purchase,${regionA},`);
});

test("a property filter narrows the results and is kept in the URL", async ({ page, request }) => {
  const region = `e2e-p-${randomBytes(4).toString("hex")}`;
  const events = ["pro", "free", "free"].map((plan, i) => ({
    event_type: "signup",
    region,
    user_id: `p-${i}`,
    properties: { plan },
  }));
  expect((await request.post("/api/events", { data: events, headers: auth("ingest") })).status()).toBe(202);
  await waitUntilStored(request, region, 3);

  await page.goto(`/events?region=${region}&property=${encodeURIComponent("plan:pro")}`);
  await expect(page.getByLabel("Property", { exact: true })).toHaveValue("plan:pro");
  await expect(page.getByTestId("event-row")).toHaveCount(1);

  await page.getByLabel("Property", { exact: true }).fill("nonsense");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Write it as key:value")).toBeVisible();
  await expect(page).toHaveURL(/property=plan%3Apro/);
});

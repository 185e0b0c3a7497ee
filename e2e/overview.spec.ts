import path from "node:path";
import { expect, test } from "@playwright/test";
import { auth } from "./support/auth";

const SHOTS = path.resolve(import.meta.dirname, "../.local/e2e-results");

test("the overview's live totals rise when events are posted", async ({ page, request }) => {
  await page.goto("/");
  const total = page.getByTestId("total-events");
  await expect(total).toBeVisible();
  const before = Number((await total.innerText()).replace(/\D/g, ""));

  const events = Array.from({ length: 25 }, (_, i) => ({
    event_type: "page_view",
    region: "e2e",
    user_id: `u${i}`,
  }));
  const response = await request.post("/api/events", { data: events, headers: auth("ingest") });
  expect(response.status()).toBe(202);

  await expect
    .poll(async () => Number((await total.innerText()).replace(/\D/g, "")), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(before + 25);
  await page.screenshot({ path: path.join(SHOTS, "overview.png"), fullPage: true });
});

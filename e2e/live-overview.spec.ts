import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { auth, credentials } from "./support/auth";

const screenshot = (name: string) =>
  fileURLToPath(new URL(`../.local/e2e-results/${name}.png`, import.meta.url));
const figure = async (page: Page, testId: string) =>
  Number((await page.getByTestId(testId).innerText()).replace(/\D/g, ""));

test("posted events reach the overview's live figures within 2 s, over SSE, without a reload", async ({
  page,
  request,
}) => {
  const region = `e2e-live-${randomBytes(4).toString("hex")}`;
  await page.goto("/");
  // Streaming: the header says Live and the figures come from the stream's snapshot.
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await expect(page.getByTestId("total-events")).toBeVisible();
  await expect(page.getByText("Polling (live stream not connected)")).toHaveCount(0);
  const polls: string[] = [];
  page.on("request", (req) => {
    if (req.url().includes("/api/metrics/realtime")) polls.push(req.url());
  });
  const before = await figure(page, "total-events");
  // A reload would lose this mark.
  await page.evaluate(() => document.documentElement.setAttribute("data-e2e-mark", "kept"));

  const events = Array.from({ length: 40 }, (_, i) => ({
    event_type: "purchase",
    region,
    user_id: `e2e-${i}`,
    value: 10 + i,
  }));
  const response = await request.post("/api/events", { data: events, headers: auth("ingest") });
  expect(response.status()).toBe(202);

  // The 2 s budget starts when the API has acknowledged the events.
  await expect
    .poll(() => figure(page, "total-events"), { timeout: 2_000, intervals: [50] })
    .toBeGreaterThanOrEqual(before + 40);
  const regions = page.getByRole("list", { name: "Events by region" });
  await expect(regions.getByText(region)).toBeVisible({ timeout: 2_000 });

  expect(polls, "figures came from the stream, not from polling").toEqual([]);
  await expect(page.locator("html"), "no reload").toHaveAttribute("data-e2e-mark", "kept");
  await page.screenshot({ path: screenshot("live-overview"), fullPage: true });
});

test("the stream speaks SSE: headers, snapshot first, then counts with increasing ids", async ({ page }) => {
  const region = `e2e-sse-${randomBytes(4).toString("hex")}`;
  await page.goto("/events"); // any page of the app, for its origin
  const result = await page.evaluate(
    async ({ region, key }) => {
      const source = new EventSource("/api/stream");
      const seen: { type: string; id: string; data: string }[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no counts for ${region} within 5 s`)), 5_000);
        source.addEventListener("snapshot", (event) => {
          seen.push({ type: "snapshot", id: event.lastEventId, data: event.data });
          void fetch("/api/events", {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
            body: JSON.stringify({ event_type: "click", region }),
          });
        });
        source.addEventListener("counts", (event) => {
          seen.push({ type: "counts", id: event.lastEventId, data: event.data });
          if (event.data.includes(region)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      try {
        await done;
      } finally {
        source.close();
      }
      return seen;
    },
    { region, key: credentials().ingestKey },
  );
  expect(result[0]?.type).toBe("snapshot");
  const ids = result.map((event) => Number(event.id.split("-").pop()));
  for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] ?? Infinity);

  // The stream never ends: read its headers, then abort.
  const headers = await page.evaluate(async () => {
    const controller = new AbortController();
    const res = await fetch("/api/stream", { signal: controller.signal });
    const h = Object.fromEntries(res.headers.entries());
    controller.abort();
    return h;
  });
  expect(headers["content-type"]).toContain("text/event-stream");
  expect(headers["cache-control"]).toBe("no-cache, no-transform");
  expect(headers["x-accel-buffering"]).toBe("no");
  expect(headers["content-encoding"]).toBeUndefined();
});

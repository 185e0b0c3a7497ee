import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";

const screenshot = (name: string) =>
  fileURLToPath(new URL(`../.local/e2e-results/${name}.png`, import.meta.url));

const PAGES = [
  { path: "/", title: "Overview", ready: "total-events" },
  { path: "/events", title: "Events" },
  { path: "/aggregations", title: "Aggregations" },
  { path: "/system", title: "System", ready: "processors-running" },
] as const;

const WIDTHS = [
  { name: "laptop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

for (const size of WIDTHS) {
  for (const target of PAGES) {
    test(`${target.title} renders at ${size.name} width without errors or sideways overflow`, async ({
      page,
    }) => {
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto(target.path);
      await expect(page.getByRole("heading", { level: 1, name: target.title })).toBeVisible();
      if ("ready" in target) await expect(page.getByTestId(target.ready)).toBeVisible();
      // Let data-driven panels settle (loading skeletons gone).
      await expect(page.getByRole("status", { name: /loading/i })).toHaveCount(0, { timeout: 15_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, "page wider than the viewport").toBeLessThanOrEqual(0);
      expect(errors).toEqual([]);
      await page.screenshot({
        path: screenshot(`page-${target.title.toLowerCase()}-${size.name}`),
        fullPage: true,
      });
    });
  }
}

test("the navigation is keyboard accessible and marks the current section", async ({ page }) => {
  await page.goto("/system");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "System" })).toHaveAttribute("aria-current", "page");
  for (const name of ["Overview", "Events", "Aggregations", "Anomalies", "Alerts", "System"]) {
    await expect(nav.getByRole("link", { name })).toBeVisible();
  }
  await nav.getByRole("link", { name: "Events" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole("heading", { level: 1, name: "Events" })).toBeVisible();
});

import { expect, test, type Page } from "@playwright/test";

/** Every CSP violation the page reports: its `securitypolicyviolation` events and console lines. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())) {
      console.push(message.text());
    }
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  return async () => [
    ...console,
    ...(await page.evaluate(
      () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
    )),
  ];
}

const PAGES = [
  { path: "/", title: "Overview" },
  { path: "/events", title: "Events" },
  { path: "/aggregations", title: "Aggregations" },
  { path: "/anomalies", title: "Anomalies" },
  { path: "/alerts", title: "Alerts" },
  { path: "/system", title: "System" },
] as const;

test("every dashboard page runs under the CSP without a violation, with the security headers", async ({
  page,
}) => {
  const violations = await watchCsp(page);
  for (const target of PAGES) {
    const response = await page.goto(target.path);
    const headers = response?.headers() ?? {};
    expect(headers["content-security-policy"], target.path).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"], target.path).toContain("object-src 'none'");
    expect(headers["x-content-type-options"], target.path).toBe("nosniff");
    expect(headers["referrer-policy"], target.path).toBe("strict-origin-when-cross-origin");
    await expect(page.getByRole("heading", { level: 1, name: target.title })).toBeVisible();
    // hydrated and data loaded: the inline RSC scripts, the chunks and the fetches have all run
    await expect(page.getByRole("status", { name: /loading/i })).toHaveCount(0, { timeout: 15_000 });
    expect(await violations(), target.path).toEqual([]);
  }
});

test("the sign-in page runs under the CSP without a violation", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const violations = await watchCsp(page);
  const response = await page.goto("/sign-in");
  expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
  await expect(page.getByRole("button", { name: /sign in/i })).toBeVisible();
  expect(await violations()).toEqual([]);
  await context.close();
});

test("the policy does block another origin (the check above can see a violation)", async ({ page }) => {
  const violations = await watchCsp(page);
  await page.goto("/system");
  await expect(page.getByRole("heading", { level: 1, name: "System" })).toBeVisible();
  await page.evaluate(() => {
    const image = document.createElement("img");
    image.src = "https://example.invalid/tracker.png";
    document.body.append(image);
  });
  await expect
    .poll(async () =>
      (await violations()).some((line) => line.includes("https://example.invalid/tracker.png")),
    )
    .toBe(true);
});

test("API answers carry nosniff and no framing too", async ({ request }) => {
  // withRoute sets them on its routes (refusals included); next.config.ts on better-auth's
  const answers = [
    await request.get("/api/health"),
    await request.post("/api/events", { data: { event_type: "page_view" }, headers: { Authorization: "" } }),
    await request.get("/metrics", { headers: { Authorization: "" } }),
    await request.get("/api/auth/get-session"),
  ];
  for (const [i, response] of answers.entries()) {
    expect(response.headers()["x-content-type-options"], response.url()).toBe("nosniff");
    // withRoute's answers are no documents: a policy that allows nothing (better-auth's get the pages')
    if (i < 3)
      expect(response.headers()["content-security-policy"], response.url()).toContain("default-src 'none'");
    expect(response.headers()["content-security-policy"], response.url()).toContain("frame-ancestors 'none'");
    // each header once: not from both next.config.ts and withRoute
    expect(response.headers()["x-frame-options"], response.url()).toBe("DENY");
  }
});

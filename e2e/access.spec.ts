import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { auth, credentials } from "./support/auth";
import { explainOnFailure, watchApi } from "./support/diagnose";

/** A fresh browser with no session: the sign-in page, then the dashboard. */
async function signIn(page: Page, who: { email: string; password: string }, path = "/"): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(who.email);
}

test.describe("without a session", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("sign in, come back where you were going, sign out, and be sent to sign-in again", async ({
    page,
  }) => {
    await signIn(page, credentials().signIn, "/events");
    await expect(page).toHaveURL(/\/events$/);
    await expect(page.getByTestId("current-user")).toContainText("admin");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/alerts");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Falerts/);
  });

  test("a wrong password is refused with a message, and no session is made", async ({ page, context }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(credentials().signIn.email);
    await page.getByLabel("Password").fill("not-the-password-1");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText(/invalid email or password/i)).toBeVisible();
    expect((await context.cookies()).some((cookie) => cookie.name.endsWith("session_token"))).toBe(false);
  });

  test("a viewer reads rules but has no save button, and cannot acknowledge", async ({ page, request }) => {
    const name = `e2e viewer ${randomBytes(4).toString("hex")}`;
    const created = await request.post("/api/alerts/rules", {
      headers: auth("member"),
      data: {
        name,
        event_type: "click",
        condition: { type: "no_data", windows: 2 },
        channels: { in_app: true },
      },
    });
    expect(created.status()).toBe(201);
    await signIn(page, credentials().viewerSignIn, "/alerts");
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toBeVisible();
    await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
    await expect(row.getByRole("button", { name: "Delete" })).toHaveCount(0);
    await row.getByRole("button", { name: "View", exact: true }).click();
    await expect(page.getByText("Viewers read rules")).toBeVisible();
    await expect(page.getByRole("button", { name: "Save rule" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  });
});

test("script and HTML in an event's properties render as text in the explorer and the JSON panel", async ({
  page,
  request,
}) => {
  const region = `e2e-xss-${randomBytes(4).toString("hex")}`;
  const payloads = {
    img: `<img src=x onerror="window.__pwned=1">`,
    script: `<script>window.__pwned=1</script>`,
    link: `javascript:window.__pwned=1`,
  };
  const posted = await request.post("/api/events", {
    headers: auth("ingest"),
    data: { event_type: "click", region, user_id: `<b>${payloads.img}</b>`, properties: payloads },
  });
  expect(posted.status()).toBe(202);
  await expect
    .poll(
      async () =>
        (
          (await (await request.get(`/api/events?region=${region}`, { headers: auth("viewer") })).json()) as {
            data: unknown[];
          }
        ).data.length,
      { timeout: 20_000 },
    )
    .toBe(1);
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const events = watchApi(page, "/api/events");
  await page.goto(`/events?region=${region}`);
  const row = page.getByTestId("event-row");
  await explainOnFailure(events, () => expect(row).toContainText("<script>window.__pwned=1</script>"));
  await row.click();
  await expect(page.getByTestId("event-json")).toContainText('onerror=\\"window.__pwned=1\\"');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(
    await page
      .locator(`[data-testid="event-row"] img, [data-testid="event-json"] img, script:text("__pwned")`)
      .count(),
  ).toBe(0);
  expect(dialogs).toEqual([]);
});

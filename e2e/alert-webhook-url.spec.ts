import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { auth } from "./support/auth";

const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/analytics_test";

test("a rule's webhook URL shows masked, and the rule is edited without re-typing it", async ({
  page,
  request,
}) => {
  const tag = randomBytes(4).toString("hex");
  const name = `masked ${tag}`;
  const token = `tok-${tag}-0123456789`;
  // The e2e stack allows private webhooks; nothing listens there, which does not matter here.
  const url = `http://127.0.0.1:9/hooks/${token}?key=${token}`;
  const created = await request.post("/api/alerts/rules", {
    headers: auth("member"),
    data: {
      name,
      condition: { type: "threshold", operator: "above", value: 1e12 },
      channels: { in_app: true, webhook: { url, secret: `secret-${tag}` } },
    },
  });
  expect(created.status()).toBe(201);
  const { rule } = (await created.json()) as { rule: { id: string; channels: { webhook: { url: string } } } };
  expect(rule.channels.webhook.url).toBe("http://127.0.0.1:9/hooks/…?key=…");

  await page.goto("/alerts");
  const row = page.getByTestId("rule-row").filter({ hasText: name });
  await row.getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: `Edit rule ${name}` });
  await expect(form.getByLabel("Webhook URL")).toHaveValue("http://127.0.0.1:9/hooks/…?key=…");
  await form.getByLabel("Name").fill(`${name} renamed`);
  await form.getByRole("button", { name: "Save rule" }).click();
  await expect(form).toBeHidden();
  await expect(page.getByTestId("rule-row").filter({ hasText: `${name} renamed` })).toBeVisible();
  // the token never reached the page
  expect(await page.content()).not.toContain(token);

  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    const [stored] = await sql<{ name: string; webhook_url: string }[]>`
      SELECT name, webhook_url FROM alert_rules WHERE id = ${rule.id}`;
    expect(stored).toEqual({ name: `${name} renamed`, webhook_url: url });
  } finally {
    await sql.end();
  }
});

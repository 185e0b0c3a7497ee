import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { closedWindow, produceClosedWindows } from "../tests/support/closed-windows";
import { spawnLogged } from "../tests/support/stack";
import { auth } from "./support/auth";

const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/analytics_test";

test("create a rule through the form, see a field error for a bad webhook URL, then see it fire", async ({
  page,
}) => {
  const tag = randomBytes(4).toString("hex");
  const name = `e2e rule ${tag}`;
  const eventType = `e2e_${tag}`;

  await page.goto("/alerts");
  await page.getByRole("button", { name: "New rule" }).first().click();
  const form = page.getByRole("form", { name: "New alert rule" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Event type").fill(eventType);
  await form.getByRole("radio", { name: "Threshold" }).click();
  await form.getByLabel("Value").fill("50");
  await form.getByLabel("Webhook URL").fill("ftp://example.com/hook");
  await form.getByRole("button", { name: "Create rule" }).click();

  // The API's field-level error shows next to the field, and the field is marked invalid.
  const url = form.getByLabel("Webhook URL");
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("must be an http:// or https:// URL")).toBeVisible();
  await expect(page.getByTestId("rule-row").filter({ hasText: name })).toHaveCount(0);

  // The e2e stack allows private webhooks; nothing listens there, which does not matter here.
  await url.fill("http://127.0.0.1:9/hook");
  await form.getByRole("button", { name: "Create rule" }).click();
  await expect(form).toBeHidden();
  const row = page.getByTestId("rule-row").filter({ hasText: name });
  await expect(row).toBeVisible();
  await expect(row).toContainText("ok");
  await expect(row).toContainText(`above 50`);

  // An anomaly worker of this test's own on its own topic prefix, writing to the same database.
  const prefix = `e2e-${tag}.`;
  const worker: ChildProcess = spawnLogged(
    `e2e-anomaly-${tag}`,
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "workers/main.ts", "anomaly"],
    {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      DATABASE_URL,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `e2e-${tag}:`,
      ANOMALY_GROUP_ID: `e2e-anomaly-${tag}`,
      METRICS_PORT: "0",
    },
  );
  try {
    const kafka = new Kafka({
      clientId: `e2e-${tag}`,
      brokers: ["127.0.0.1:9092"],
      logLevel: logLevel.NOTHING,
    });
    const start = Math.floor((Date.now() - 86_400_000) / 300_000) * 300_000;
    await produceClosedWindows(kafka, prefix, [closedWindow(eventType, "*", start, 500)]);
    await expect(row).toContainText("firing", { timeout: 45_000 });

    const incident = page.getByTestId("incident-row").filter({ hasText: name });
    await expect(incident).toContainText("open");
    await incident.getByRole("button", { name: "Acknowledge" }).click();
    await expect(incident).toContainText("acknowledged");
    await page.screenshot({ path: test.info().outputPath("alerts.png"), fullPage: true });
  } finally {
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.kill("SIGTERM");
    await exited;
  }
});

test("a rule's preview replays the last 24 hours", async ({ page, request }) => {
  const tag = randomBytes(4).toString("hex");
  const name = `e2e preview ${tag}`;
  const created = await request.post("/api/alerts/rules", {
    headers: auth("member"),
    data: {
      name,
      event_type: `preview_${tag}`,
      condition: { type: "no_data", windows: 2 },
      channels: { in_app: true },
    },
  });
  expect(created.status()).toBe(201);
  await page.goto("/alerts");
  const row = page.getByTestId("rule-row").filter({ hasText: name });
  await row.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByTestId("rule-preview");
  await expect(preview).toContainText("over the last 24 hours");
  await expect(preview).toContainText("No stored windows");
});

import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { auth, credentials } from "./support/auth";
import { explainOnFailure, watchApi } from "./support/diagnose";

async function storedCount(request: APIRequestContext, region: string, token: string): Promise<number> {
  const response = await request.get(`/api/events?region=${region}&limit=10`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  // an answer other than 200 (a store still coming back after the fault tests) is polled again
  if (!response.ok()) return -response.status();
  return ((await response.json()) as { data: unknown[] }).data.length;
}

test("the project switcher shows one project's events at a time, the same region notwithstanding", async ({
  page,
  request,
}) => {
  const { otherProject, otherProjectKey, tokens } = credentials();
  const region = `e2e-proj-${randomBytes(4).toString("hex")}`;
  const send = (eventType: string, key: Record<string, string>) =>
    request.post("/api/events", { data: [{ event_type: eventType, region }], headers: key });
  expect((await send("purchase", auth("ingest"))).status()).toBe(202);
  expect((await send("click", { Authorization: `Bearer ${otherProjectKey}` })).status()).toBe(202);
  await expect.poll(() => storedCount(request, region, tokens.viewer), { timeout: 20_000 }).toBe(1);
  await expect
    .poll(() => storedCount(request, region, otherProject.memberToken), { timeout: 20_000 })
    .toBe(1);

  const events = watchApi(page, "/api/");
  await page.goto(`/events?region=${region}`);
  const switcher = page.getByTestId("project-switcher");
  await explainOnFailure(events, async () => {
    await expect(switcher).toHaveValue("default");
    await expect(page.getByTestId("event-type")).toHaveText(["purchase"]);
  });

  await switcher.selectOption(otherProject.id);
  await expect(switcher).toHaveValue(otherProject.id);
  await expect(page.getByTestId("event-type")).toHaveText(["click"]);
  const me = (await (await page.request.get("/api/me")).json()) as { project: string };
  expect(me.project).toBe(otherProject.id);

  await switcher.selectOption("default");
  await expect(page.getByTestId("event-type")).toHaveText(["purchase"]);
});

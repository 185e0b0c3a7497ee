import { describe, expect, it } from "vitest";
import type { RuleRow } from "./dto";
import { toRuleDto } from "./dto";
import { rulePatchSchema } from "./rule-schema";
import { mergeRulePatch, validateRuleInput } from "./validate-rule";

const SLACK = "https://hooks.slack.com/services/T000/B000/XXXXsecret";
const options = { allowPrivateWebhooks: true, windowSizes: [300] };

function storedRule(overrides: Partial<RuleRow> = {}): RuleRow {
  const now = new Date("2026-03-02T10:00:00Z");
  return {
    id: "00000000-0000-4000-8000-000000000001",
    projectId: "default",
    name: "checkout",
    eventType: "purchase",
    region: "*",
    metric: "count",
    windowSeconds: 300,
    condition: { type: "anomaly", sensitivity: "high" },
    forWindows: 1,
    severity: "high",
    inApp: true,
    webhookUrl: SLACK,
    webhookSecret: "enc:v1:stored",
    mutedUntil: null,
    enabled: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

async function merged(patch: unknown, rule = storedRule()) {
  return validateRuleInput(mergeRulePatch(rule, rulePatchSchema.parse(patch)), options);
}

describe("a rule's webhook URL on update", () => {
  it("is shown masked, never in full", () => {
    const dto = toRuleDto(storedRule(), null, Date.now());
    expect(dto.channels.webhook).toEqual({ url: "https://hooks.slack.com/services/…", has_secret: true });
    expect(JSON.stringify(dto)).not.toContain("XXXXsecret");
  });

  it("is kept when the PATCH omits the webhook, omits its url, or sends the masked one back", async () => {
    expect((await merged({ name: "renamed" })).channels.webhook?.url).toBe(SLACK);
    const withoutUrl = await merged({ channels: { in_app: false, webhook: { secret: "new-secret-1" } } });
    expect(withoutUrl.channels).toEqual({ in_app: false, webhook: { url: SLACK, secret: "new-secret-1" } });
    const masked = toRuleDto(storedRule(), null, Date.now()).channels.webhook?.url;
    expect(
      (await merged({ channels: { in_app: true, webhook: { url: masked } } })).channels.webhook?.url,
    ).toBe(SLACK);
  });

  it("is replaced by a new URL and removed with webhook: null", async () => {
    const next = await merged({ channels: { in_app: true, webhook: { url: "https://h.example.com/new" } } });
    expect(next.channels.webhook?.url).toBe("https://h.example.com/new");
    expect((await merged({ channels: { in_app: true, webhook: null } })).channels.webhook).toBeNull();
  });

  it("is required when the rule had no webhook", async () => {
    const error = await merged(
      { channels: { in_app: true, webhook: {} } },
      storedRule({ webhookUrl: null }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "validation_failed" });
    expect((error as { details: { path: string }[] }).details.map((d) => d.path)).toContain(
      "channels.webhook.url",
    );
  });
});

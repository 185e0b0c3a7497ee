import { describe, expect, it } from "vitest";
import { ruleInputSchema } from "./rule-schema";
import { nextStoredWebhookSecret, openWebhookSecret, sealWebhookSecret } from "./webhook-secret";

const key = Buffer.alloc(32, 3);
const withWebhook = (webhook: Record<string, unknown> | null) =>
  ruleInputSchema.parse({
    name: "r",
    condition: { type: "anomaly", sensitivity: "high" },
    channels: { in_app: true, webhook },
  });

describe("stored webhook secrets", () => {
  const sealed = sealWebhookSecret("whsec-original", key) ?? "";

  it("stores a new secret encrypted, and opens it", () => {
    const stored = nextStoredWebhookSecret(
      withWebhook({ url: "https://h.example/x", secret: "whsec-new1" }),
      sealed,
      key,
    );
    expect(stored).toMatch(/^enc:v1:/);
    expect(openWebhookSecret(stored, key)).toBe("whsec-new1");
  });

  it("keeps the stored secret when none is given, and encrypts a legacy plaintext then", () => {
    const input = withWebhook({ url: "https://h.example/x" });
    expect(nextStoredWebhookSecret(input, sealed, key)).toBe(sealed);
    const migrated = nextStoredWebhookSecret(input, "legacy-plain", key);
    expect(migrated).toMatch(/^enc:v1:/);
    expect(openWebhookSecret(migrated, key)).toBe("legacy-plain");
    expect(nextStoredWebhookSecret(input, null, key)).toBeNull();
  });

  it("removes it with secret: null or with the webhook", () => {
    expect(
      nextStoredWebhookSecret(withWebhook({ url: "https://h.example/x", secret: null }), sealed, key),
    ).toBeNull();
    expect(nextStoredWebhookSecret(withWebhook(null), sealed, key)).toBeNull();
  });

  it("opens a legacy plaintext as it is", () => {
    expect(openWebhookSecret("legacy-plain", key)).toBe("legacy-plain");
    expect(openWebhookSecret(null, key)).toBeNull();
  });
});

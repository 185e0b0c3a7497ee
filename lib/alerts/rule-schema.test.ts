import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { validateRuleInput } from "./validate-rule";

const publicDns = async () => ["93.184.216.34"];
const options = { allowPrivateWebhooks: false, windowSizes: [300, 60], resolve: publicDns };

const valid = {
  name: "Checkout spike",
  event_type: "purchase",
  region: "*",
  metric: "count",
  condition: { type: "anomaly", sensitivity: "high" },
  channels: { in_app: true, webhook: { url: "https://hooks.example.com/alerts", secret: "s3cret-value" } },
};

async function detailsOf(body: unknown, overrides: Partial<typeof options> = {}) {
  try {
    await validateRuleInput(body, { ...options, ...overrides });
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, details: error.details };
    throw error;
  }
  return { code: "ok", details: [] };
}

describe("alert rule validation", () => {
  it("accepts a full rule and fills the defaults", async () => {
    const rule = await validateRuleInput(valid, options);
    expect(rule).toMatchObject({
      name: "Checkout spike",
      event_type: "purchase",
      region: "*",
      window_seconds: 300,
      for_windows: 1,
      severity: "medium",
      enabled: true,
      muted_until: null,
    });
  });

  it.each([
    ["name", { ...valid, name: "  " }, "name"],
    ["event type", { ...valid, event_type: "Bad Type" }, "event_type"],
    ["metric", { ...valid, metric: "median" }, "metric"],
    ["condition type", { ...valid, condition: { type: "sometimes" } }, "condition.type"],
    [
      "sensitivity",
      { ...valid, condition: { type: "anomaly", sensitivity: "extreme" } },
      "condition.sensitivity",
    ],
    ["threshold value", { ...valid, condition: { type: "threshold", operator: "above" } }, "condition.value"],
    [
      "threshold operator",
      { ...valid, condition: { type: "threshold", operator: "near", value: 1 } },
      "condition.operator",
    ],
    ["no-data windows", { ...valid, condition: { type: "no_data", windows: 0 } }, "condition.windows"],
    ["for", { ...valid, for_windows: 0 }, "for_windows"],
    ["severity", { ...valid, severity: "urgent" }, "severity"],
    ["muted until", { ...valid, muted_until: "tomorrow" }, "muted_until"],
    ["no channel", { ...valid, channels: { in_app: false, webhook: null } }, "channels"],
    [
      "short secret",
      { ...valid, channels: { webhook: { url: "https://a.example.com", secret: "x" } } },
      "channels.webhook.secret",
    ],
    ["unknown field", { ...valid, colour: "red" }, "(body)"],
    ["window size not configured", { ...valid, window_seconds: 120 }, "window_seconds"],
  ])("names the field of a bad %s", async (_what, body, path) => {
    const result = await detailsOf(body);
    expect(result.code).toBe("validation_failed");
    expect(result.details.map((detail) => detail.path)).toContain(path);
  });

  it.each([
    ["ftp://example.com/hook", "must be an http:// or https:// URL"],
    ["not a url", "must be an http:// or https:// URL"],
    ["http://127.0.0.1:8080/hook", "loopback"],
    ["http://localhost/hook", "loopback"],
    ["http://api.localhost/hook", "loopback"],
    ["http://10.1.2.3/hook", "private"],
    ["http://172.20.0.1/hook", "private"],
    ["http://192.168.1.10/hook", "private"],
    ["http://169.254.169.254/latest/meta-data", "link-local"],
    ["http://[::1]/hook", "loopback"],
    ["http://[fe80::1]/hook", "link-local"],
    ["http://[fd00::1]/hook", "private"],
    ["http://[::ffff:127.0.0.1]/hook", "loopback"],
    ["http://0x7f000001/hook", "loopback"],
    ["https://user:pw@hooks.example.com/", "credentials"],
  ])("refuses the webhook URL %s", async (url, message) => {
    const result = await detailsOf({ ...valid, channels: { webhook: { url } } });
    expect(result.code).toBe("validation_failed");
    const detail = result.details.find((entry) => entry.path === "channels.webhook.url");
    expect(detail?.message).toContain(message);
  });

  it("refuses a host name that resolves to a private address", async () => {
    const result = await detailsOf(
      { ...valid, channels: { webhook: { url: "https://internal.example.com/hook" } } },
      { resolve: async () => ["93.184.216.34", "10.0.0.5"] },
    );
    expect(result.details).toEqual([
      {
        path: "channels.webhook.url",
        message: "must not resolve to a loopback, private or link-local address",
      },
    ]);
  });

  it("refuses a host name that does not resolve", async () => {
    const result = await detailsOf(
      { ...valid, channels: { webhook: { url: "https://nowhere.invalid/hook" } } },
      { resolve: async () => Promise.reject(new Error("ENOTFOUND")) },
    );
    expect(result.details[0]?.message).toBe("host name does not resolve");
  });

  it("accepts private and loopback webhooks when ALLOW_PRIVATE_WEBHOOKS is set", async () => {
    for (const url of ["http://127.0.0.1:9999/hook", "http://localhost/hook", "http://10.0.0.1/"]) {
      const rule = await validateRuleInput(
        { ...valid, channels: { webhook: { url } } },
        { ...options, allowPrivateWebhooks: true },
      );
      expect(rule.channels.webhook?.url).toBe(url);
    }
  });

  it("still refuses non-http schemes when private webhooks are allowed", async () => {
    const result = await detailsOf(
      { ...valid, channels: { webhook: { url: "file:///etc/passwd" } } },
      { allowPrivateWebhooks: true },
    );
    expect(result.details.map((detail) => detail.path)).toEqual(["channels.webhook.url"]);
  });
});

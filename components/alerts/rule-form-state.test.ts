import { describe, expect, it } from "vitest";
import type { RuleDto } from "@/lib/alerts/dto";
import { emptyRuleForm, errorsByField, formFromRule, toRuleBody } from "./rule-form-state";

describe("rule form state", () => {
  it("turns the form into the API's rule body", () => {
    const values = {
      ...emptyRuleForm([300, 60]),
      name: "Too many errors",
      eventType: "error",
      conditionType: "threshold" as const,
      operator: "above" as const,
      value: "25",
      forWindows: "3",
      webhookUrl: " https://hooks.example.com/x ",
      webhookSecret: "topsecret",
    };
    expect(toRuleBody(values)).toEqual({
      name: "Too many errors",
      event_type: "error",
      region: "*",
      metric: "count",
      window_seconds: 300,
      condition: { type: "threshold", operator: "above", value: 25 },
      for_windows: 3,
      severity: "medium",
      channels: { in_app: true, webhook: { url: "https://hooks.example.com/x", secret: "topsecret" } },
      muted_until: null,
      enabled: true,
    });
  });

  it("keeps text the API must reject instead of guessing a number", () => {
    const body = toRuleBody({ ...emptyRuleForm([300]), conditionType: "threshold", value: "lots" });
    expect(body.condition).toEqual({ type: "threshold", operator: "above", value: "lots" });
  });

  it("omits a blank secret (keep the stored one) and sends null to remove it", () => {
    const base = { ...emptyRuleForm([300]), webhookUrl: "https://a.example.com" };
    expect(toRuleBody(base).channels).toEqual({ in_app: true, webhook: { url: "https://a.example.com" } });
    expect(toRuleBody({ ...base, removeSecret: true }).channels).toEqual({
      in_app: true,
      webhook: { url: "https://a.example.com", secret: null },
    });
  });

  it("round-trips a stored rule through the form", () => {
    const rule: RuleDto = {
      id: "00000000-0000-4000-8000-000000000001",
      name: "Quiet checkout",
      event_type: "purchase",
      region: "eu",
      metric: "count",
      window_seconds: 60,
      condition: { type: "no_data", windows: 4 },
      for_windows: 1,
      severity: "critical",
      channels: { in_app: false, webhook: { url: "https://a.example.com/h", has_secret: true } },
      muted_until: null,
      enabled: false,
      state: "disabled",
      open_incident: null,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    };
    expect(toRuleBody(formFromRule(rule))).toEqual({
      name: "Quiet checkout",
      event_type: "purchase",
      region: "eu",
      metric: "count",
      window_seconds: 60,
      condition: { type: "no_data", windows: 4 },
      for_windows: 1,
      severity: "critical",
      channels: { in_app: false, webhook: { url: "https://a.example.com/h" } },
      muted_until: null,
      enabled: false,
    });
  });

  it("leaves out a masked webhook URL the user did not change, and sends a new or cleared one", () => {
    const rule: RuleDto = {
      id: "00000000-0000-4000-8000-000000000002",
      name: "Slack",
      event_type: "*",
      region: "*",
      metric: "count",
      window_seconds: 300,
      condition: { type: "anomaly", sensitivity: "high" },
      for_windows: 1,
      severity: "high",
      channels: { in_app: true, webhook: { url: "https://hooks.slack.com/services/…", has_secret: true } },
      muted_until: null,
      enabled: true,
      state: "ok",
      open_incident: null,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    };
    const form = formFromRule(rule);
    expect(form.webhookUrl).toBe("https://hooks.slack.com/services/…");
    expect(toRuleBody(form, rule).channels).toEqual({ in_app: true, webhook: {} });
    expect(toRuleBody({ ...form, webhookSecret: "rotated-1" }, rule).channels).toEqual({
      in_app: true,
      webhook: { secret: "rotated-1" },
    });
    expect(toRuleBody({ ...form, webhookUrl: "https://h.example.com/new" }, rule).channels).toEqual({
      in_app: true,
      webhook: { url: "https://h.example.com/new" },
    });
    expect(toRuleBody({ ...form, webhookUrl: "" }, rule).channels).toEqual({ in_app: true, webhook: null });
  });

  it("maps the API's field paths onto the form's fields", () => {
    expect(
      errorsByField([
        { path: "channels.webhook.url", message: "must use http or https" },
        { path: "condition.value", message: "Invalid input: expected number" },
        { path: "channels", message: "choose at least one channel" },
        { path: "(body)", message: 'Unrecognized key: "x"' },
      ]),
    ).toEqual({
      webhookUrl: "must use http or https",
      value: "Invalid input: expected number",
      channels: "choose at least one channel",
      form: '(body): Unrecognized key: "x"',
    });
  });
});

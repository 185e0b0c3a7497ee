import { describe, expect, it } from "vitest";
import { isMaskOf, maskWebhookUrl } from "./mask-url";

describe("maskWebhookUrl", () => {
  it.each([
    ["https://hooks.example.com/pulse", "https://hooks.example.com/pulse"],
    ["https://hooks.example.com/", "https://hooks.example.com/"],
    ["https://hooks.slack.com/services/T000/B000/XXXXsecret", "https://hooks.slack.com/services/…"],
    ["https://discord.com/api/webhooks/123/tok3n", "https://discord.com/api/…"],
    ["http://127.0.0.1:8080/hooks/abc", "http://127.0.0.1:8080/hooks/…"],
    ["https://h.example.com/x?token=s3cr3t&channel=ops&token=2", "https://h.example.com/x?token=…&channel=…"],
    ["https://user:pa55@h.example.com/in#frag-secret", "https://…@h.example.com/in"],
    ["https://h.example.com/0123456789abcdef0123456789abcdef", "https://h.example.com/…"],
    ["not a url", "…"],
  ])("%s → %s", (raw, masked) => {
    expect(maskWebhookUrl(raw)).toBe(masked);
  });

  it("never shows userinfo, query values, later path segments or the fragment", () => {
    const masked = maskWebhookUrl("https://alice:pw-1@h.example.com/a/b-secret/c?k=v-secret#f-secret");
    for (const part of ["alice", "pw-1", "b-secret", "v-secret", "f-secret"])
      expect(masked).not.toContain(part);
  });

  it("recognises its own output sent back", () => {
    const stored = "https://hooks.slack.com/services/T000/B000/XXXX";
    expect(isMaskOf("https://hooks.slack.com/services/…", stored)).toBe(true);
    expect(isMaskOf("https://hooks.slack.com/services/T1/B1/Y", stored)).toBe(false);
  });
});

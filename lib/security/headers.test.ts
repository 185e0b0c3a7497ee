import { describe, expect, it } from "vitest";
import { apiSecurityHeaders, contentSecurityPolicy, securityHeaders } from "./headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((part) => {
      const [name = "", ...values] = part.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe("security headers", () => {
  it("sends a CSP that allows this origin only, forbids framing, objects and foreign forms", () => {
    const csp = directives(contentSecurityPolicy({ development: false }));
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    // no other origin anywhere, and eval only in development
    expect(contentSecurityPolicy({ development: false })).not.toMatch(/https?:|\*|unsafe-eval/);
    expect(directives(contentSecurityPolicy({ development: true })).get("script-src")).toContain(
      "'unsafe-eval'",
    );
  });

  it("replaces 'unsafe-inline' scripts with a nonce and strict-dynamic when given one", () => {
    const csp = directives(contentSecurityPolicy({ development: false, nonce: "abc123" }));
    expect(csp.get("script-src")).toEqual(["'nonce-abc123'", "'strict-dynamic'"]);
  });

  it("sets nosniff, the referrer policy, no framing and HSTS in production", () => {
    const headers = Object.fromEntries(securityHeaders({ development: false }).map((h) => [h.key, h.value]));
    expect(headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
      "Strict-Transport-Security": "max-age=31536000",
    });
    expect(headers["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    const development = securityHeaders({ development: true }).map((h) => h.key);
    expect(development).not.toContain("Strict-Transport-Security");
  });

  it("gives API answers a policy that allows nothing, with nosniff, no framing and HSTS", () => {
    const headers = Object.fromEntries(
      apiSecurityHeaders({ development: false }).map((h) => [h.key, h.value]),
    );
    expect(directives(headers["Content-Security-Policy"] ?? "")).toEqual(
      new Map([
        ["default-src", ["'none'"]],
        ["frame-ancestors", ["'none'"]],
      ]),
    );
    expect(headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Strict-Transport-Security": "max-age=31536000",
    });
    expect(apiSecurityHeaders({ development: true }).map((h) => h.key)).not.toContain(
      "Strict-Transport-Security",
    );
  });
});

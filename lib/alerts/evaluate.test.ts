import { describe, expect, it } from "vitest";
import { evaluateWindow, missingWindowsAt } from "./evaluate";
import { signBody, verifySignature } from "./signature";

describe("condition evaluation", () => {
  it.each([
    [{ type: "threshold", operator: "above", value: 100 } as const, 101, null, "breach"],
    [{ type: "threshold", operator: "above", value: 100 } as const, 100, null, "clear"],
    [{ type: "threshold", operator: "below", value: 5 } as const, 4, null, "breach"],
    [{ type: "threshold", operator: "below", value: 5 } as const, null, null, "unknown"],
    [{ type: "anomaly", sensitivity: "high" } as const, 10, 0.5, "breach"],
    [{ type: "anomaly", sensitivity: "medium" } as const, 10, 0.6, "clear"],
    [{ type: "anomaly", sensitivity: "low" } as const, 10, 0.9, "breach"],
    [{ type: "anomaly", sensitivity: "high" } as const, 10, null, "unknown"],
    [{ type: "no_data", windows: 3 } as const, 0, null, "clear"],
  ])("%j with observed %s and score %s is %s", (condition, observed, score, outcome) => {
    expect(evaluateWindow(condition, observed, score)).toBe(outcome);
  });

  it("counts closed windows without data, allowing for lateness", () => {
    const step = 300_000;
    const last = 10 * step;
    // At 13 windows + lateness the watermark is at 13: windows 11 and 12 are closed, 13 is not.
    expect(missingWindowsAt(13 * step + 60_000, last, 300, 60_000)).toBe(2);
    expect(missingWindowsAt(13 * step + 59_999, last, 300, 60_000)).toBe(1);
    expect(missingWindowsAt(14 * step + 60_000, last, 300, 60_000)).toBe(3);
    expect(missingWindowsAt(11 * step, last, 300, 60_000)).toBe(0);
  });
});

describe("webhook signatures", () => {
  it("signs the raw body with HMAC-SHA256 and verifies it", () => {
    const body = JSON.stringify({ kind: "firing", observed: 1200 });
    const signature = signBody("s3cret-value", body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature("s3cret-value", body, signature)).toBe(true);
    expect(verifySignature("other-secret", body, signature)).toBe(false);
    expect(verifySignature("s3cret-value", `${body} `, signature)).toBe(false);
    expect(verifySignature("s3cret-value", body, null)).toBe(false);
  });

  it("matches a known HMAC-SHA256 vector", () => {
    // RFC 4231 test case 2
    expect(signBody("Jefe", "what do ya want for nothing?")).toBe(
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });
});

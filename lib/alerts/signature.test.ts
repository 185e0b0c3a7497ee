import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseSignatureHeader, signPayload, verifySignature } from "./signature";

const body = JSON.stringify({ kind: "firing", observed: 1200 });
const t = 1_780_000_000;

describe("webhook signatures", () => {
  it("signs `<t>.<body>` with HMAC-SHA256 as t=…,v1=…", () => {
    const header = signPayload("s3cret-value", body, t);
    expect(header).toMatch(/^t=1780000000,v1=[0-9a-f]{64}$/);
    const expected = createHmac("sha256", "s3cret-value").update(`${t}.${body}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it("verifies within the tolerance and refuses outside it (a replay)", () => {
    const header = signPayload("s3cret-value", body, t);
    expect(verifySignature("s3cret-value", body, header, { nowSeconds: t })).toBe(true);
    expect(verifySignature("s3cret-value", body, header, { nowSeconds: t + 300 })).toBe(true);
    expect(verifySignature("s3cret-value", body, header, { nowSeconds: t - 300 })).toBe(true);
    expect(verifySignature("s3cret-value", body, header, { nowSeconds: t + 301 })).toBe(false);
    expect(
      verifySignature("s3cret-value", body, header, { nowSeconds: t + 3600, toleranceSeconds: 3600 }),
    ).toBe(true);
  });

  it.each([
    ["another secret", "other-secret", body, signPayload("s3cret-value", body, t)],
    ["a changed body", "s3cret-value", `${body} `, signPayload("s3cret-value", body, t)],
    [
      "a changed time",
      "s3cret-value",
      body,
      signPayload("s3cret-value", body, t).replace(`t=${t}`, `t=${t + 1}`),
    ],
    ["no header", "s3cret-value", body, null],
    ["no time", "s3cret-value", body, signPayload("s3cret-value", body, t).replace(`t=${t},`, "")],
    [
      "the old format",
      "s3cret-value",
      body,
      `sha256=${createHmac("sha256", "s3cret-value").update(body).digest("hex")}`,
    ],
    ["a truncated v1", "s3cret-value", body, signPayload("s3cret-value", body, t).slice(0, -2)],
  ])("refuses %s", (_, secret, raw, header) => {
    expect(verifySignature(secret, raw, header, { nowSeconds: t })).toBe(false);
  });

  it("accepts any one of several v1 values (secret rotation) and ignores unknown schemes", () => {
    const good = signPayload("s3cret-value", body, t).split(",v1=")[1];
    const header = `t=${t},v0=abc,v1=${"0".repeat(64)},v1=${good}`;
    expect(verifySignature("s3cret-value", body, header, { nowSeconds: t })).toBe(true);
    expect(parseSignatureHeader(header)).toEqual({ timestamp: t, signatures: ["0".repeat(64), good] });
  });
});

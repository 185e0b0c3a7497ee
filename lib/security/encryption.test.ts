import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  isEncrypted,
  openSecret,
  sealSecret,
  SecretDecryptionError,
} from "./encryption";

const key = Buffer.alloc(32, 1);
const CONTEXT = "alert_rules.webhook_secret";

describe("secrets at rest", () => {
  it("round-trips any text, in the enc:v1 format, without the plaintext in it", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (plaintext) => {
        const stored = encryptSecret(plaintext, CONTEXT, key);
        expect(stored).toMatch(/^enc:v1:[\w-]{16}:[\w-]{22}:[\w-]*$/);
        if (plaintext.length >= 4) expect(stored).not.toContain(plaintext);
        expect(decryptSecret(stored, CONTEXT, key)).toBe(plaintext);
      }),
    );
  });

  it("uses a fresh IV each time: the same secret stores differently", () => {
    const a = encryptSecret("whsec-same", CONTEXT, key);
    const b = encryptSecret("whsec-same", CONTEXT, key);
    expect(a).not.toBe(b);
    expect(decryptSecret(a, CONTEXT, key)).toBe(decryptSecret(b, CONTEXT, key));
  });

  it("reads a legacy plaintext as it is", () => {
    expect(isEncrypted("legacy-secret")).toBe(false);
    expect(decryptSecret("legacy-secret", CONTEXT, key)).toBe("legacy-secret");
    expect(openSecret(null, CONTEXT, key)).toBeNull();
    expect(sealSecret(null, CONTEXT, key)).toBeNull();
    expect(isEncrypted(sealSecret("x", CONTEXT, key) ?? "")).toBe(true);
  });

  it.each([
    ["another key", (stored: string) => decryptSecret(stored, CONTEXT, randomBytes(32))],
    ["another context", (stored: string) => decryptSecret(stored, "users.password", key)],
    [
      "a flipped ciphertext byte",
      (stored: string) => {
        const parts = stored.split(":");
        const body = Buffer.from(parts[4] ?? "", "base64url");
        body[0] = (body[0] ?? 0) ^ 1;
        parts[4] = body.toString("base64url");
        return decryptSecret(parts.join(":"), CONTEXT, key);
      },
    ],
    [
      "a truncated value",
      (stored: string) => decryptSecret(stored.split(":").slice(0, 4).join(":"), CONTEXT, key),
    ],
    [
      "a short tag",
      (stored: string) => decryptSecret(stored.replace(/^(enc:v1:[^:]+:)[^:]{4}/, "$1"), CONTEXT, key),
    ],
  ])("refuses %s", (_, open) => {
    const stored = encryptSecret("whsec-0123456789", CONTEXT, key);
    expect(() => open(stored)).toThrow(SecretDecryptionError);
  });
});

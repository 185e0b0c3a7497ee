import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { configuredSecret } from "./secrets";

/**
 * Secrets at rest (webhook secrets): AES-256-GCM under SECRETS_KEY, stored as text in the
 * column that held the plaintext, so no migration is needed:
 *
 *   enc:v1:<iv>:<tag>:<ciphertext>      (each base64url; a 12-byte IV, a 16-byte tag)
 *
 * A value without the prefix is a legacy plaintext: it still reads, and is encrypted on the next
 * write (or by reencryptLegacySecrets). `v1` names the format; a key rotation would add `v2`.
 */
const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = "aes-256-gcm";

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

let cachedKey: { raw: string; key: Buffer } | undefined;

/** SECRETS_KEY as the 32-byte key (env.ts checked its length). */
export function secretsKey(): Buffer {
  const raw = configuredSecret("SECRETS_KEY");
  if (cachedKey?.raw !== raw) {
    const key = Buffer.from(raw, "base64");
    if (key.length !== 32) throw new Error("SECRETS_KEY must be 32 bytes, base64-encoded");
    cachedKey = { raw, key };
  }
  return cachedKey.key;
}

/** Whether a stored value is in the encrypted format (else it is a legacy plaintext). */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * `plaintext` encrypted with a fresh random IV. `context` (e.g. "alert_rules.webhook_secret") is
 * authenticated too, so a value copied into another column does not decrypt there.
 */
export function encryptSecret(plaintext: string, context: string, key: Buffer = secretsKey()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
  return `${PREFIX}${parts.join(":")}`;
}

/**
 * The plaintext of a stored value: decrypted when it is in the encrypted format, as it is for a
 * legacy plaintext. Throws SecretDecryptionError for a value that does not authenticate (another
 * key, another context, tampered): using it would sign with garbage.
 */
export function decryptSecret(stored: string, context: string, key: Buffer = secretsKey()): string {
  if (!isEncrypted(stored)) return stored;
  const parts = stored.slice(PREFIX.length).split(":");
  if (parts.length !== 3) throw new SecretDecryptionError("malformed encrypted value");
  const [iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, "base64url")) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretDecryptionError("malformed encrypted value");
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("the value does not decrypt with SECRETS_KEY (another key, or altered)");
  }
}

/** The value to store for `plaintext` (null stays null). */
export function sealSecret(plaintext: string | null, context: string, key?: Buffer): string | null {
  return plaintext === null ? null : encryptSecret(plaintext, context, key);
}

/** The plaintext of a stored value (null stays null). */
export function openSecret(stored: string | null, context: string, key?: Buffer): string | null {
  return stored === null ? null : decryptSecret(stored, context, key);
}

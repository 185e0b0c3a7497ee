import { decryptSecret, encryptSecret, isEncrypted } from "../security/encryption";
import type { RuleInput } from "./rule-schema";

/** Authenticated with each encrypted webhook secret: it decrypts in this column only. */
export const WEBHOOK_SECRET_CONTEXT = "alert_rules.webhook_secret";

/** A webhook secret as alert_rules stores it (encrypted; null stays null). */
export function sealWebhookSecret(plaintext: string | null, key?: Buffer): string | null {
  return plaintext === null ? null : encryptSecret(plaintext, WEBHOOK_SECRET_CONTEXT, key);
}

/** A stored webhook secret's plaintext: decrypted, or a legacy plaintext as it is. */
export function openWebhookSecret(stored: string | null, key?: Buffer): string | null {
  return stored === null ? null : decryptSecret(stored, WEBHOOK_SECRET_CONTEXT, key);
}

/**
 * The value to store on an update: a given secret (encrypted), none when the webhook or its secret
 * was removed, else the stored one, encrypted now if it was a legacy plaintext.
 */
export function nextStoredWebhookSecret(
  input: RuleInput,
  stored: string | null,
  key?: Buffer,
): string | null {
  const webhook = input.channels.webhook;
  if (webhook === null) return null;
  if (webhook.secret === undefined) {
    return stored === null || isEncrypted(stored) ? stored : sealWebhookSecret(stored, key);
  }
  return sealWebhookSecret(webhook.secret, key);
}

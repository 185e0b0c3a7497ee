import "server-only";
import { and, eq, isNotNull, notLike } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertRules } from "@/db/schema";
import { sealWebhookSecret } from "@/lib/alerts/webhook-secret";

/**
 * Encrypts the webhook secrets still stored as plaintext (rules saved before encryption at
 * rest). Idempotent, and safe beside a concurrent edit: a row is only rewritten while it still
 * holds the plaintext that was read. Returns how many rows it encrypted.
 */
export async function reencryptLegacyWebhookSecrets(): Promise<number> {
  const db = getDb();
  const legacy = await db
    .select({ id: alertRules.id, secret: alertRules.webhookSecret })
    .from(alertRules)
    .where(and(isNotNull(alertRules.webhookSecret), notLike(alertRules.webhookSecret, "enc:v1:%")));
  let encrypted = 0;
  for (const row of legacy) {
    if (row.secret === null) continue;
    const updated = await db
      .update(alertRules)
      .set({ webhookSecret: sealWebhookSecret(row.secret) })
      .where(and(eq(alertRules.id, row.id), eq(alertRules.webhookSecret, row.secret)))
      .returning({ id: alertRules.id });
    encrypted += updated.length;
  }
  return encrypted;
}

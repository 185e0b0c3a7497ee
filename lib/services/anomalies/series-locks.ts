import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "../alerts/deliveries";

/**
 * Serialises work on the same series scopes across worker replicas (a rebalance can hand a
 * partition over while the old owner still finishes its batch). Locks are taken in sorted order,
 * so two transactions never wait on each other in a cycle, and released at commit.
 */
export async function lockScopes(tx: Tx, scopes: string[]): Promise<void> {
  for (const scope of [...new Set(scopes)].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`anomaly:${scope}`}, 0))`);
  }
}

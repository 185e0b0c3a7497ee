import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "../alerts/deliveries";

/**
 * Serialises work on the same series scopes across worker replicas (a rebalance can hand a
 * partition over while the old owner still finishes its batch). Locks are taken in sorted order,
 * so two transactions never wait on each other in a cycle, and released at commit.
 */
export async function lockScopes(tx: Tx, scopes: string[]): Promise<void> {
  const keys = [...new Set(scopes)].map((scope) => `anomaly:${scope}`);
  if (keys.length === 0) return;
  // One round trip; the subquery's order is the order the locks are taken in.
  await tx.execute(sql`
    select pg_advisory_xact_lock(h) from (
      select distinct hashtextextended(k, 0) as h
      from unnest(array[${sql.join(
        keys.map((key) => sql`${key}`),
        sql`, `,
      )}]::text[]) as k
      order by 1
    ) ordered`);
}

import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertRules } from "@/db/schema";
import { AppError } from "@/lib/errors";

/** Deletes a rule with its state, incidents and delivery log (cascade). */
export async function deleteRule(id: string): Promise<void> {
  const deleted = await getDb()
    .delete(alertRules)
    .where(eq(alertRules.id, id))
    .returning({ id: alertRules.id });
  if (deleted.length === 0) throw new AppError("not_found", "No such alert rule");
}

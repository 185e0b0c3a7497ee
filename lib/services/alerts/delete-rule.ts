import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertRules } from "@/db/schema";
import { AppError } from "@/lib/errors";

/** Deletes a rule with its state, incidents and delivery log (cascade). */
export async function deleteRule(projectId: string, id: string): Promise<void> {
  const deleted = await getDb()
    .delete(alertRules)
    .where(and(eq(alertRules.id, id), eq(alertRules.projectId, projectId)))
    .returning({ id: alertRules.id });
  if (deleted.length === 0) throw new AppError("not_found", "No such alert rule");
}

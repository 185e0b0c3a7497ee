import "server-only";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertIncidents, alertRules } from "@/db/schema";
import { toIncidentDto, type IncidentDto } from "@/lib/alerts/dto";
import { AppError } from "@/lib/errors";

/** Marks an open incident acknowledged (someone is on it); it still resolves on its own. */
export async function acknowledgeIncident(id: string): Promise<IncidentDto> {
  return getDb().transaction(async (tx) => {
    const [current] = await tx.select().from(alertIncidents).where(eq(alertIncidents.id, id)).for("update");
    if (!current) throw new AppError("not_found", "No such incident");
    const [rule] = await tx
      .select({ name: alertRules.name })
      .from(alertRules)
      .where(eq(alertRules.id, current.ruleId));
    if (current.status === "resolved") throw new AppError("conflict", "The incident is already resolved");
    if (current.status === "acknowledged") return toIncidentDto(current, rule?.name ?? null);
    const [row] = await tx
      .update(alertIncidents)
      .set({ status: "acknowledged", acknowledgedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(alertIncidents.id, id))
      .returning();
    if (!row) throw new AppError("not_found", "No such incident");
    return toIncidentDto(row, rule?.name ?? null);
  });
}

import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertIncidents, alertRules } from "@/db/schema";
import { toIncidentDto, type IncidentDto } from "@/lib/alerts/dto";
import { AppError } from "@/lib/errors";

/**
 * Marks an open incident of the project acknowledged (someone is on it); it still resolves on
 * its own. Another project's incident is not found.
 */
export async function acknowledgeIncident(projectId: string, id: string): Promise<IncidentDto> {
  return getDb().transaction(async (tx) => {
    const [current] = await tx
      .select({ incident: alertIncidents })
      .from(alertIncidents)
      .innerJoin(alertRules, eq(alertRules.id, alertIncidents.ruleId))
      .where(and(eq(alertIncidents.id, id), eq(alertRules.projectId, projectId)))
      .for("update", { of: alertIncidents })
      .then((rows) => rows.map((row) => row.incident));
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

import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { anomalies } from "@/db/schema";
import { toAnomalyDto, type AnomalyDto } from "@/lib/alerts/dto";
import { AppError } from "@/lib/errors";

/** Moves an anomaly to open, acknowledged or resolved, stamping when. */
export async function setAnomalyStatus(
  projectId: string,
  id: number,
  status: "open" | "acknowledged" | "resolved",
): Promise<AnomalyDto> {
  const stamps =
    status === "acknowledged"
      ? { acknowledgedAt: sql`coalesce(${anomalies.acknowledgedAt}, now())` }
      : status === "resolved"
        ? { resolvedAt: sql`coalesce(${anomalies.resolvedAt}, now())` }
        : { acknowledgedAt: null, resolvedAt: null };
  const [row] = await getDb()
    .update(anomalies)
    .set({ status, ...stamps, updatedAt: sql`now()` })
    .where(and(eq(anomalies.id, id), eq(anomalies.projectId, projectId)))
    .returning();
  if (!row) throw new AppError("not_found", "No such anomaly");
  return toAnomalyDto(row);
}

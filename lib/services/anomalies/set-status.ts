import "server-only";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { anomalies } from "@/db/schema";
import { toAnomalyDto, type AnomalyDto } from "@/lib/alerts/dto";
import { AppError } from "@/lib/errors";

/** Moves an anomaly to open, acknowledged or resolved, stamping when. */
export async function setAnomalyStatus(
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
    .where(eq(anomalies.id, id))
    .returning();
  if (!row) throw new AppError("not_found", "No such anomaly");
  return toAnomalyDto(row);
}

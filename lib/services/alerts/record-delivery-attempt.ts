import "server-only";
import { and, eq, notInArray, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { alertDeliveries, alertDeliveryAttempts } from "@/db/schema";

export type AttemptOutcome = "delivered" | "retry" | "dead_lettered";

const STATUS: Record<AttemptOutcome, "delivered" | "retrying" | "dead_lettered"> = {
  delivered: "delivered",
  retry: "retrying",
  dead_lettered: "dead_lettered",
};

/**
 * Logs one attempt and moves the delivery to its new status. A delivery that already finished
 * (delivered or dead-lettered) keeps its status: a late duplicate attempt is logged only.
 */
export async function recordDeliveryAttempt(input: {
  deliveryId: string;
  attempt: number;
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}): Promise<void> {
  const error = input.error === null ? null : input.error.slice(0, 1000);
  await getDb().transaction(async (tx) => {
    await tx.insert(alertDeliveryAttempts).values({
      deliveryId: input.deliveryId,
      attempt: input.attempt,
      outcome: input.outcome,
      statusCode: input.statusCode,
      error,
      durationMs: input.durationMs,
    });
    await tx
      .update(alertDeliveries)
      .set({
        status: STATUS[input.outcome],
        attempts: sql`greatest(${alertDeliveries.attempts}, ${input.attempt})`,
        lastStatusCode: input.statusCode,
        lastError: error,
        updatedAt: sql`now()`,
        ...(input.outcome === "delivered" ? { deliveredAt: sql`now()` } : {}),
        ...(input.outcome === "dead_lettered" ? { deadLetteredAt: sql`now()` } : {}),
      })
      .where(
        and(
          eq(alertDeliveries.id, input.deliveryId),
          notInArray(alertDeliveries.status, ["delivered", "dead_lettered"]),
        ),
      );
  });
}

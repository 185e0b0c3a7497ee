import "server-only";
import type { SqlLike } from "@/db/client";
import { deleteInChunks, type ChunkOptions } from "./delete-in-chunks";

export interface AlertHistoryPruned {
  deletedAlertDeliveryAttempts: number;
  deletedAlertDeliveries: number;
  deletedAlertIncidents: number;
  interrupted: boolean;
}

/**
 * Deletes the alert history finished before `cutoff`: resolved incidents, and the delivered or
 * dead-lettered deliveries (with their attempts) of such incidents or of no incident (tests).
 * An open or acknowledged incident, a pending or retrying delivery, and an incident with any
 * delivery left are kept. Children go first (attempts, deliveries, then incidents), so the
 * ON DELETE CASCADE foreign keys never delete anything on their own.
 */
export async function pruneAlertHistory(
  sql: SqlLike,
  cutoff: Date,
  options: ChunkOptions,
): Promise<AlertHistoryPruned> {
  const before = cutoff.toISOString();
  // created_at < cutoff is implied by updated_at < cutoff; it lets the created_at index narrow the scan.
  const finishedDelivery = sql`
    d.status in ('delivered', 'dead_lettered')
    and d.created_at < ${before}::timestamptz and d.updated_at < ${before}::timestamptz
    and (d.incident_id is null or exists (
      select 1 from alert_incidents i
      where i.id = d.incident_id and i.status = 'resolved'
        and coalesce(i.resolved_at, i.updated_at) < ${before}::timestamptz))`;

  const attempts = await deleteInChunks(async (limit) => {
    const result = await sql`
      delete from alert_delivery_attempts where id in (
        select a.id from alert_deliveries d join alert_delivery_attempts a on a.delivery_id = d.id
        where ${finishedDelivery} limit ${limit})`;
    return result.count;
  }, options);
  if (attempts.interrupted) return summary(attempts.deleted, 0, 0, true);

  // The outer status and time conditions are checked again on a row updated meanwhile.
  const deliveries = await deleteInChunks(async (limit) => {
    const result = await sql`
      delete from alert_deliveries where id in (
        select d.id from alert_deliveries d
        where ${finishedDelivery}
          and not exists (select 1 from alert_delivery_attempts a where a.delivery_id = d.id)
        limit ${limit})
      and status in ('delivered', 'dead_lettered') and updated_at < ${before}::timestamptz`;
    return result.count;
  }, options);
  if (deliveries.interrupted) return summary(attempts.deleted, deliveries.deleted, 0, true);

  // TRICKY: alert_deliveries has no index on incident_id, so the cascade check of each deleted
  // incident scans that table: deleteInChunks keeps these statements small by their duration.
  // fired_at < cutoff is implied by the resolution being older; it lets the fired_at index narrow the scan.
  const incidents = await deleteInChunks(async (limit) => {
    const result = await sql`
      delete from alert_incidents where id in (
        select i.id from alert_incidents i
        where i.status = 'resolved' and i.fired_at < ${before}::timestamptz
          and coalesce(i.resolved_at, i.updated_at) < ${before}::timestamptz
          and not exists (select 1 from alert_deliveries d where d.incident_id = i.id)
        limit ${limit})
      and status = 'resolved' and coalesce(resolved_at, updated_at) < ${before}::timestamptz`;
    return result.count;
  }, options);
  return summary(attempts.deleted, deliveries.deleted, incidents.deleted, incidents.interrupted);
}

function summary(
  attempts: number,
  deliveries: number,
  incidents: number,
  interrupted: boolean,
): AlertHistoryPruned {
  return {
    deletedAlertDeliveryAttempts: attempts,
    deletedAlertDeliveries: deliveries,
    deletedAlertIncidents: incidents,
    interrupted,
  };
}

import "server-only";
import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { type ListEventsQuery } from "@/lib/events/query";
import { decodeTimeIdCursor, encodeTimeIdCursor, keysetPage } from "@/lib/http/cursor";
import { getDb } from "../client";
import { rawEvents } from "../schema";

export interface EventRow {
  event_id: string;
  event_type: string;
  timestamp: string;
  received_at: string;
  user_id: string | null;
  session_id: string | null;
  region: string | null;
  value: number | null;
  properties: Record<string, unknown> | null;
  correlation_id: string;
  late: boolean;
}

/** Newest first, keyset-paginated; `next_cursor` is null on the last page. */
export async function listEvents(
  query: ListEventsQuery,
): Promise<{ data: EventRow[]; next_cursor: string | null }> {
  const filters: (SQL | undefined)[] = [];
  if (query.event_type) filters.push(eq(rawEvents.eventType, query.event_type));
  if (query.region) filters.push(eq(rawEvents.region, query.region));
  if (query.user_id) filters.push(eq(rawEvents.userId, query.user_id));
  if (query.session_id) filters.push(eq(rawEvents.sessionId, query.session_id));
  if (query.from) filters.push(gte(rawEvents.eventTime, query.from));
  if (query.to) filters.push(lt(rawEvents.eventTime, query.to));
  if (query.property) {
    const colon = query.property.indexOf(":");
    const key = query.property.slice(0, colon);
    const value = query.property.slice(colon + 1);
    filters.push(sql`${rawEvents.properties} ->> ${key} = ${value}`);
  }
  if (query.cursor) {
    const cursor = decodeTimeIdCursor(query.cursor);
    filters.push(
      or(
        lt(rawEvents.eventTime, cursor.time),
        and(eq(rawEvents.eventTime, cursor.time), lt(rawEvents.eventId, cursor.id)),
      ),
    );
  }
  const rows = await getDb()
    .select()
    .from(rawEvents)
    .where(and(...filters))
    .orderBy(desc(rawEvents.eventTime), desc(rawEvents.eventId))
    .limit(query.limit + 1);
  const { page, nextCursor } = keysetPage(rows, query.limit, (last) =>
    encodeTimeIdCursor(last.eventTime, last.eventId),
  );
  return {
    data: page.map((row) => ({
      event_id: row.eventId,
      event_type: row.eventType,
      timestamp: row.eventTime.toISOString(),
      received_at: row.receivedAt.toISOString(),
      user_id: row.userId,
      session_id: row.sessionId,
      region: row.region,
      value: row.value,
      properties: row.properties,
      correlation_id: row.correlationId,
      late: row.late,
    })),
    next_cursor: nextCursor,
  };
}

import { z } from "zod";
import { listEvents, type EventRow } from "@/db/queries/events";
import { csvRow } from "@/lib/events/csv";
import { listEventsQuery } from "@/lib/events/query";
import { withRoute } from "@/lib/http/route";
import { logger } from "@/lib/logger";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const PAGE_SIZE = 1000;

const exportQuery = listEventsQuery.omit({ limit: true, cursor: true }).extend({
  format: z.literal("csv").default("csv"),
  /** At most this many rows (newest first). */
  max: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});

const COLUMNS = [
  "event_id",
  "timestamp",
  "received_at",
  "event_type",
  "region",
  "user_id",
  "session_id",
  "value",
  "properties",
  "correlation_id",
  "late",
] as const satisfies readonly (keyof EventRow)[];

/**
 * GET /api/events/export?format=csv&<the filters of GET /api/events>: every matching event,
 * newest first, as CSV. Streamed page by page, so memory stays flat and a client that
 * reads slowly slows the database reads down instead of filling memory.
 */
export const GET = withRoute("events.export", async (request, { correlationId }) => {
  const {
    format: _format,
    max,
    ...filters
  } = exportQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  // The first page is read before answering, so a bad query or a database error is a proper status.
  let page = await listEvents({ ...filters, limit: Math.min(PAGE_SIZE, max) });
  let written = 0;
  let cancelled = false;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(COLUMNS)));
    },
    async pull(controller) {
      const rows = page.data.slice(0, max - written);
      controller.enqueue(
        encoder.encode(rows.map((row) => csvRow(COLUMNS.map((column) => row[column]))).join("")),
      );
      written += rows.length;
      if (cancelled || written >= max || page.next_cursor === null) {
        controller.close();
        return;
      }
      try {
        page = await listEvents({
          ...filters,
          limit: Math.min(PAGE_SIZE, max - written),
          cursor: page.next_cursor,
        });
      } catch (error) {
        // Headers are gone: all we can do is abort the download, which the client sees as failed.
        logger.error({ err: error, correlation_id: correlationId, written }, "events_export_failed");
        controller.error(error);
      }
    },
    cancel() {
      cancelled = true;
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="events-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});

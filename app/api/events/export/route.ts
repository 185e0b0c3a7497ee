import { listEvents, type EventRow } from "@/db/queries/events";
import { projectOf } from "@/lib/auth/principal";
import { csvRow } from "@/lib/events/csv";
import { EXPORTED_FIELDS } from "@/lib/events/fields";
import * as events from "@/lib/http/contracts/events";
import { defineRoute } from "@/lib/http/define-route";
import { logger } from "@/lib/logger";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const PAGE_SIZE = 1000;

// the exported event fields (lib/events/fields.ts), then what the processor adds
const COLUMNS = [...EXPORTED_FIELDS, "late"] as const satisfies readonly (keyof EventRow)[];

/**
 * GET /api/events/export?format=csv&<the filters of GET /api/events>: every matching event,
 * newest first, as CSV. Streamed page by page, so memory stays flat and a client that
 * reads slowly slows the database reads down instead of filling memory.
 */
export const GET = defineRoute(events.exportEvents, async ({ query, correlationId, principal }) => {
  const { format: _format, max, ...filters } = query;
  const projectId = projectOf(principal);
  // The first page is read before answering, so a bad query or a database error is a proper status.
  let page = await listEvents(projectId, { ...filters, limit: Math.min(PAGE_SIZE, max) });
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
        page = await listEvents(projectId, {
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

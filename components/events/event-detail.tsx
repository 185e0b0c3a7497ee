"use client";

import { useState } from "react";
import type { EventRow } from "@/db/queries/events";
import { Badge, Button, Dialog } from "@/components/ui";
import { formatDateTime } from "@/components/ui/format";

/** An event's full JSON in a side panel, with its times in the viewer's zone and a copy button. */
export function EventDetail({ event, onClose }: { event: EventRow | undefined; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const json = event ? JSON.stringify(event, null, 2) : "";
  return (
    <Dialog
      open={event !== undefined}
      onClose={() => {
        setCopied(false);
        onClose();
      }}
      variant="side"
      title={event ? `${event.event_type} event` : "Event"}
      footer={
        <Button
          size="sm"
          onClick={() =>
            void navigator.clipboard.writeText(json).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy JSON"}
        </Button>
      }
    >
      {event && (
        <div className="space-y-4">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
            <dt className="text-slate-500">Event time</dt>
            <dd className="tabular-nums">{formatDateTime(event.timestamp)}</dd>
            <dt className="text-slate-500">Received</dt>
            <dd className="tabular-nums">{formatDateTime(event.received_at)}</dd>
            <dt className="text-slate-500">Event id</dt>
            <dd className="font-mono text-xs break-all">{event.event_id}</dd>
            {event.late && (
              <>
                <dt className="text-slate-500">Late</dt>
                <dd>
                  <Badge tone="warning">arrived after its window closed</Badge>
                </dd>
              </>
            )}
          </dl>
          <pre
            data-testid="event-json"
            className="overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100"
          >
            {json}
          </pre>
        </div>
      )}
    </Dialog>
  );
}

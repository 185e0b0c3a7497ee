"use client";

import { Badge } from "@/components/ui";
import { useLiveStatus } from "./live-stream-provider";

/** "Live" while the SSE stream is connected, "Reconnecting" otherwise. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span aria-live="polite">
      {status === "open" ? (
        <Badge tone="success" dot title="Streaming live from /api/stream">
          Live
        </Badge>
      ) : (
        <Badge tone={status === "connecting" ? "neutral" : "warning"} dot>
          {status === "connecting" ? "Connecting" : "Reconnecting"}
        </Badge>
      )}
    </span>
  );
}

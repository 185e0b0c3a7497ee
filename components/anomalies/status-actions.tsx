"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Badge, Button, type BadgeTone } from "@/components/ui";
import type { AnomalyDto } from "@/lib/alerts/dto";
import { anomalyKeys, setStatus, type AnomalyStatus } from "./api";

const statusTones: Record<AnomalyStatus, BadgeTone> = {
  open: "critical",
  acknowledged: "warning",
  resolved: "success",
};

export function AnomalyStatusBadge({ status }: { status: AnomalyStatus }) {
  return (
    <Badge tone={statusTones[status]} dot>
      {status}
    </Badge>
  );
}

/** Acknowledge / resolve (and reopen) buttons for one anomaly. */
export function StatusActions({ anomaly }: { anomaly: AnomalyDto }) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (status: AnomalyStatus) => setStatus(anomaly.id, status),
    onSuccess: () => client.invalidateQueries({ queryKey: anomalyKeys.all }),
  });
  const pending = mutation.isPending ? mutation.variables : undefined;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {anomaly.status === "open" && (
        <Button
          size="sm"
          loading={pending === "acknowledged"}
          onClick={() => mutation.mutate("acknowledged")}
        >
          Acknowledge
        </Button>
      )}
      {anomaly.status !== "resolved" && (
        <Button size="sm" loading={pending === "resolved"} onClick={() => mutation.mutate("resolved")}>
          Resolve
        </Button>
      )}
      {anomaly.status === "resolved" && (
        <Button
          size="sm"
          variant="ghost"
          loading={pending === "open"}
          onClick={() => mutation.mutate("open")}
        >
          Reopen
        </Button>
      )}
      {mutation.error && (
        <span role="alert" className="text-xs text-red-700">
          {mutation.error.message}
        </span>
      )}
    </div>
  );
}

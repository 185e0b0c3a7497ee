"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Badge, Button, type BadgeTone } from "@/components/ui";
import type { AnomalyDto } from "@/lib/alerts/dto";
import { anomalyKeys, setStatus, type AnomalyStatus } from "./api";
import { useCanEdit } from "@/components/providers/current-user";

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

/**
 * Shown when the detector was still warming up on the series (its first windows, or a series
 * with little history): the band was wider and the score less sure.
 */
export function WarmingUpBadge({ anomaly }: { anomaly: Pick<AnomalyDto, "warming_up" | "confidence"> }) {
  if (!anomaly.warming_up) return null;
  return (
    <span
      title={`The detector had learned ${Math.round(anomaly.confidence * 100)} % of its warm-up on this series`}
    >
      <Badge tone="info" dot>
        warming up
      </Badge>
    </span>
  );
}

/** Acknowledge / resolve (and reopen) buttons for one anomaly. */
export function StatusActions({ anomaly }: { anomaly: AnomalyDto }) {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (status: AnomalyStatus) => setStatus(anomaly.id, status),
    onSuccess: () => client.invalidateQueries({ queryKey: anomalyKeys.all }),
  });
  const pending = mutation.isPending ? mutation.variables : undefined;
  if (!canEdit) return null;
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

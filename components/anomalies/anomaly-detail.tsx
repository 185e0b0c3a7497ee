"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useLiveEvent } from "@/components/providers/live-stream-provider";
import {
  ApiError,
  ButtonLink,
  Card,
  EmptyState,
  ErrorState,
  SeverityBadge,
  SkeletonRows,
} from "@/components/ui";
import { formatDateTime, formatNumber, viewerTimeZone } from "@/components/ui/format";
import { anomalyKeys, fetchAnomaly } from "./api";
import { AnomalyChart } from "./anomaly-chart";
import { metricLabel, seriesLabel, windowLabel } from "./labels";
import { AnomalyStatusBadge, StatusActions, WarmingUpBadge } from "./status-actions";

/** One anomaly: its series before and after with the expected band, the figures, and actions. */
export function AnomalyDetail({ id }: { id: number }) {
  const client = useQueryClient();
  useLiveEvent("anomaly", () => void client.invalidateQueries({ queryKey: anomalyKeys.detail(id) }));
  const query = useQuery({ queryKey: anomalyKeys.detail(id), queryFn: () => fetchAnomaly(id) });
  if (query.isPending) return <SkeletonRows rows={8} />;
  if (query.error) {
    if (query.error instanceof ApiError && query.error.status === 404) {
      return (
        <EmptyState
          title="No such anomaly"
          action={
            <ButtonLink href="/anomalies" size="sm">
              All anomalies
            </ButtonLink>
          }
        />
      );
    }
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  const { anomaly, points } = query.data;
  const title = `${metricLabel(anomaly.metric)} ${anomaly.direction} · ${seriesLabel(anomaly.event_type, anomaly.region)}`;
  const facts: [string, string][] = [
    ["Window", `${formatDateTime(anomaly.window_start)} (${windowLabel(anomaly.window_seconds)})`],
    ["Observed", formatNumber(anomaly.observed)],
    ["Expected", formatNumber(anomaly.expected)],
    ["Expected band", `${formatNumber(Math.max(0, anomaly.lower))} – ${formatNumber(anomaly.upper)}`],
    ["Score", anomaly.score.toFixed(3)],
    ["Detected", formatDateTime(anomaly.created_at)],
    ["Acknowledged", anomaly.acknowledged_at ? formatDateTime(anomaly.acknowledged_at) : "–"],
    ["Resolved", anomaly.resolved_at ? formatDateTime(anomaly.resolved_at) : "–"],
  ];
  return (
    <div className="space-y-4">
      <Card
        title={title}
        description={`Observed against the detector's expected band · times in ${viewerTimeZone()}`}
        actions={
          <>
            <SeverityBadge severity={anomaly.severity} />
            <AnomalyStatusBadge status={anomaly.status} />
            <WarmingUpBadge anomaly={anomaly} />
          </>
        }
      >
        <AnomalyChart
          points={points}
          anomaly={anomaly}
          height={320}
          ariaLabel={`${title}: the series around it`}
        />
      </Card>
      <Card title="Details" actions={<StatusActions anomaly={anomaly} />}>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          {facts.map(([label, value]) => (
            <div key={label} className="flex justify-between gap-4 border-b border-slate-100 pb-1">
              <dt className="text-slate-500">{label}</dt>
              <dd className="text-right tabular-nums">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}

"use client";

import Link from "next/link";
import { Card, SeverityBadge } from "@/components/ui";
import { formatDateTime, formatNumber } from "@/components/ui/format";
import type { AnomalyDto } from "@/lib/alerts/dto";
import { AnomalyChart } from "./anomaly-chart";
import { metricLabel, seriesLabel, windowLabel } from "./labels";
import { AnomalyStatusBadge, StatusActions, WarmingUpBadge } from "./status-actions";

/** One anomaly in the list: what, when, how far off, a small chart of its series, and actions. */
export function AnomalyCard({ anomaly }: { anomaly: AnomalyDto }) {
  const title = `${metricLabel(anomaly.metric)} ${anomaly.direction} · ${seriesLabel(anomaly.event_type, anomaly.region)}`;
  return (
    <Card
      label={title}
      title={
        <Link href={`/anomalies/${anomaly.id}`} className="hover:underline" data-testid="anomaly-link">
          {title}
        </Link>
      }
      description={`${windowLabel(anomaly.window_seconds)} window starting ${formatDateTime(anomaly.window_start)}`}
      actions={
        <>
          <SeverityBadge severity={anomaly.severity} />
          <AnomalyStatusBadge status={anomaly.status} />
          <WarmingUpBadge anomaly={anomaly} />
        </>
      }
    >
      <div className="grid gap-4 md:grid-cols-[minmax(0,1fr)_14rem]">
        <AnomalyChart
          points={anomaly.points ?? []}
          anomaly={anomaly}
          height={150}
          compact
          ariaLabel={`${title}: observed against the expected band`}
        />
        <div className="flex flex-col justify-between gap-3">
          <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-500">Observed</dt>
            <dd className="text-right font-medium tabular-nums">{formatNumber(anomaly.observed)}</dd>
            <dt className="text-slate-500">Expected</dt>
            <dd className="text-right tabular-nums">{formatNumber(anomaly.expected)}</dd>
            <dt className="text-slate-500">Band</dt>
            <dd className="text-right text-xs tabular-nums">
              {formatNumber(Math.max(0, anomaly.lower))} – {formatNumber(anomaly.upper)}
            </dd>
            <dt className="text-slate-500">Score</dt>
            <dd className="text-right tabular-nums">{anomaly.score.toFixed(2)}</dd>
          </dl>
          <StatusActions anomaly={anomaly} />
        </div>
      </div>
    </Card>
  );
}

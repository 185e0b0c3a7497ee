"use client";

import { TimeSeriesChart, type ChartRow } from "@/components/charts/time-series-chart";
import { EmptyState } from "@/components/ui";
import { formatDayTime, formatNumber } from "@/components/ui/format";
import type { PreviewDto } from "@/lib/alerts/dto";

/** "If this rule had existed for the last 24 hours": its series, the breaching windows, each incident. */
export function PreviewPanel({ preview }: { preview: PreviewDto }) {
  const rows: ChartRow[] = preview.points.map((point) => ({
    t: Date.parse(point.window_start),
    observed: point.observed,
    breach: point.breach ? point.observed : null,
  }));
  return (
    <div className="space-y-3" data-testid="rule-preview">
      <p className="text-sm text-slate-700">
        {preview.incidents.length === 0
          ? `Would not have fired over the last 24 hours (${preview.windows} windows replayed).`
          : `Would have fired ${preview.incidents.length} time${preview.incidents.length === 1 ? "" : "s"} over the last 24 hours (${preview.windows} windows replayed).`}
      </p>
      {preview.note && <p className="text-xs text-amber-700">{preview.note}</p>}
      {rows.length > 0 ? (
        <TimeSeriesChart
          data={rows}
          series={[
            { key: "observed", label: "Observed", color: "#0f172a" },
            { key: "breach", label: "Condition met", color: "#dc2626" },
          ]}
          domain={[Date.parse(preview.from), Date.parse(preview.to)]}
          height={180}
          ariaLabel="The rule's series over the last 24 hours, windows meeting the condition in red"
        />
      ) : (
        <EmptyState title="No windows stored for this series in the last 24 hours" />
      )}
      {preview.incidents.length > 0 && (
        <ul className="space-y-1 text-sm">
          {preview.incidents.map((incident) => (
            <li key={incident.fired_window_start} className="flex flex-wrap justify-between gap-2">
              <span>
                Fired {formatDayTime(incident.fired_window_start)}
                {incident.resolved_window_start
                  ? `, resolved ${formatDayTime(incident.resolved_window_start)}`
                  : ", still firing"}
              </span>
              {incident.peak_observed !== null && (
                <span className="text-slate-500 tabular-nums">
                  peak {formatNumber(incident.peak_observed)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useLiveEvent } from "@/components/providers/live-stream-provider";
import { Badge, Card, EmptyState, ErrorState, SeverityBadge, SkeletonRows } from "@/components/ui";
import { formatDayTime, formatNumber } from "@/components/ui/format";
import { parseAnomalies, type AnomalySummary } from "./anomaly-types";

/** null: the anomalies API is not there (404), which is an empty state, not an error. */
async function fetchLatestAnomalies(): Promise<AnomalySummary[] | null> {
  const response = await fetch("/api/anomalies?limit=5", { cache: "no-store" });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`anomalies answered ${response.status}`);
  return parseAnomalies(await response.json()).slice(0, 5);
}

/** The five newest anomalies; refreshed when the live stream reports one. */
export function LatestAnomalies() {
  const queryClient = useQueryClient();
  const { data, error, isPending, refetch } = useQuery({
    queryKey: ["anomalies", "latest"],
    queryFn: fetchLatestAnomalies,
    refetchInterval: 30_000,
  });
  useLiveEvent("anomaly", () => void queryClient.invalidateQueries({ queryKey: ["anomalies", "latest"] }));

  return (
    <Card
      title="Latest anomalies"
      actions={
        <Link href="/anomalies" className="text-xs font-medium text-indigo-700 hover:underline">
          All anomalies
        </Link>
      }
    >
      {isPending ? (
        <SkeletonRows rows={3} />
      ) : error ? (
        <ErrorState title="Could not load anomalies" error={error} onRetry={() => void refetch()} />
      ) : !data || data.length === 0 ? (
        <EmptyState
          title="No anomalies"
          description={
            data === null
              ? "Anomaly detection is not available on this server yet."
              : "Nothing abnormal detected recently."
          }
        />
      ) : (
        <ul className="divide-y divide-slate-100">
          {data.map((anomaly) => (
            <li
              key={anomaly.id}
              className="flex flex-col gap-1 py-2.5 text-sm sm:flex-row sm:items-center sm:gap-3"
            >
              <div className="flex min-w-0 flex-1 items-center gap-2">
                <SeverityBadge severity={anomaly.severity} />
                <span className="min-w-0 truncate">
                  <span className="font-medium">{anomaly.event_type}</span>
                  <span className="text-slate-500">
                    {" "}
                    · {anomaly.region} · {anomaly.metric}
                  </span>
                </span>
                {anomaly.status !== "open" && <Badge>{anomaly.status}</Badge>}
              </div>
              <div className="flex items-center justify-between gap-3 sm:justify-end">
                <span className="text-slate-600 tabular-nums">
                  {formatNumber(anomaly.observed)}
                  {anomaly.expected !== null && (
                    <span className="text-slate-400"> vs {formatNumber(anomaly.expected)} expected</span>
                  )}
                </span>
                <span className="text-xs text-slate-500 tabular-nums sm:w-28 sm:text-right">
                  {formatDayTime(anomaly.window_start)}
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

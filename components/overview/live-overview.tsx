"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { BarList } from "@/components/charts/bar-list";
import { TimeSeriesChart, type ChartRow } from "@/components/charts/time-series-chart";
import { useLiveCounts, useLiveStatus } from "@/components/providers/live-stream-provider";
import { Card, EmptyState, ErrorState, fetchJson, Skeleton, Stat, useNow } from "@/components/ui";
import { formatInteger, formatNumber } from "@/components/ui/format";
import type { RealtimeSnapshot } from "@/lib/realtime/read-counters";
import { RANGE_SECONDS, type OverviewView } from "./live-counts-store";
import { TypeTable } from "./type-table";

const SERIES = [{ key: "total", label: "Events per second", color: "#4f46e5" }] as const;

/** The view from the REST snapshot, used until the stream's snapshot arrives (or if it never does). */
function viewFromRest(snapshot: RealtimeSnapshot): OverviewView {
  const sorted = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([name, total]) => ({ name, total }))
      .sort((a, b) => b.total - a.total);
  const recent = snapshot.series.slice(-11, -1);
  const rate = recent.reduce((sum, point) => sum + point.total, 0) / Math.max(1, recent.length);
  return {
    now: snapshot.now,
    series: snapshot.series.slice(0, -1),
    total: snapshot.total,
    rate,
    byType: sorted(snapshot.by_type).map((t) => ({ ...t, rate: Number.NaN })),
    byRegion: sorted(snapshot.by_region),
  };
}

/**
 * The live part of the overview: events per second over the last five minutes, totals and
 * rates per type, and regions. Streams from /api/stream; until its snapshot arrives (or if
 * the stream is unavailable) it polls /api/metrics/realtime instead.
 */
export function LiveOverview() {
  const live = useLiveCounts();
  const status = useLiveStatus();
  const now = useNow(1000);
  const streaming = live.store.seeded && status === "open";
  const rest = useQuery({
    queryKey: ["realtime", RANGE_SECONDS],
    queryFn: () => fetchJson<RealtimeSnapshot>(`/api/metrics/realtime?seconds=${RANGE_SECONDS}`),
    enabled: !streaming,
    refetchInterval: streaming ? false : 2000,
  });

  const view = useMemo(
    () => (live.store.seeded ? live.store.view(now) : rest.data ? viewFromRest(rest.data) : undefined),
    [live, now, rest.data],
  );
  const chartData = useMemo<ChartRow[]>(
    () => (view ? view.series.map((point) => ({ t: point.second * 1000, total: point.total })) : []),
    [view],
  );

  if (!view) {
    if (rest.error) {
      return (
        <ErrorState title="Live figures unavailable" error={rest.error} onRetry={() => void rest.refetch()} />
      );
    }
    return <LiveOverviewSkeleton />;
  }
  const domain: [number, number] = [(view.now - RANGE_SECONDS + 1) * 1000, (view.now - 1) * 1000];
  const peak = Math.max(0, ...view.series.map((point) => point.total));
  return (
    <div className="space-y-4">
      <section aria-label="Headline figures" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Events, last 5 minutes" value={formatInteger(view.total)} testId="total-events" />
        <Stat
          label="Events per second"
          value={formatNumber(Math.round(view.rate * 10) / 10)}
          sub="average, last 10 s"
          testId="events-per-second"
        />
        <Stat label="Peak per second" value={formatInteger(peak)} sub="last 5 minutes" />
        <Stat
          label="Active event types"
          value={formatInteger(view.byType.length)}
          sub={`${formatInteger(view.byRegion.length)} regions`}
        />
      </section>
      <Card
        title="Events per second"
        description="Last 5 minutes, by event time, in your time zone"
        actions={
          streaming ? null : (
            <span className="text-xs text-amber-700">Polling (live stream not connected)</span>
          )
        }
      >
        <TimeSeriesChart
          ariaLabel="Events per second over the last five minutes"
          data={chartData}
          series={SERIES}
          variant="area"
          unit="events/s"
          domain={domain}
          height={240}
          showLegend={false}
        />
      </Card>
      <div className="grid gap-4 lg:grid-cols-5">
        <Card
          title="By event type"
          description="Last 5 minutes; rate over the last 10 s"
          className="lg:col-span-3"
        >
          {view.byType.length === 0 ? (
            <EmptyState
              title="No events in the last 5 minutes"
              description="POST events to /api/events to see them here."
            />
          ) : (
            <TypeTable types={view.byType} total={view.total} />
          )}
        </Card>
        <Card title="Regions" description="Share of events, last 5 minutes" className="lg:col-span-2">
          {view.byRegion.length === 0 ? (
            <EmptyState title="No regions yet" />
          ) : (
            <BarList
              items={view.byRegion.map((r) => ({ name: r.name, value: r.total }))}
              label="Events by region"
              colorIndex={1}
            />
          )}
        </Card>
      </div>
    </div>
  );
}

export function LiveOverviewSkeleton() {
  return (
    <div className="space-y-4" role="status" aria-label="Loading live figures">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-[6.5rem] rounded-lg sm:h-[7rem]" />
        ))}
      </div>
      <Skeleton className="h-[19rem] rounded-lg" />
      <div className="grid gap-4 lg:grid-cols-5">
        <Skeleton className="h-64 rounded-lg lg:col-span-3" />
        <Skeleton className="h-64 rounded-lg lg:col-span-2" />
      </div>
    </div>
  );
}

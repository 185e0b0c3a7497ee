"use client";

import { useQueries } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { TimeSeriesChart, type ChartRow } from "@/components/charts/time-series-chart";
import { useLiveNames } from "@/components/providers/live-stream-provider";
import {
  Card,
  EmptyState,
  ErrorState,
  fetchJson,
  Segmented,
  Select,
  Skeleton,
  TagInput,
} from "@/components/ui";
import { viewerTimeZone } from "@/components/ui/format";
import type { AggregationRow } from "@/db/queries/aggregations";
import {
  METRICS,
  MAX_SERIES,
  RANGES,
  selectionFromSearch,
  selectionToSearch,
  seriesOf,
  type AggregationSelection,
  type RangeValue,
  type WindowSize,
} from "./selection";

const WINDOW_OPTIONS = [
  { value: "60", label: "1 min" },
  { value: "300", label: "5 min" },
] as const;

const CHART_HEIGHT = 220;

/** Count, distinct users, average and p95 per window for the chosen types x regions. */
export function AggregationsExplorer() {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const selection = useMemo(() => selectionFromSearch(new URLSearchParams(search)), [search]);
  const series = useMemo(() => seriesOf(selection), [selection]);
  const names = useLiveNames();
  const known = useMemo(() => ({ types: ["*", ...names.types], regions: ["*", ...names.regions] }), [names]);

  // The range is anchored when the selection changes; refetching every 30 s slides it.
  const rangeMs = RANGES.find((r) => r.value === selection.range)?.ms ?? 3600_000;
  const results = useQueries({
    queries: series.map((s) => ({
      queryKey: ["aggregations", s.type, s.region, selection.window, selection.range],
      queryFn: () => {
        const params = new URLSearchParams({
          event_type: s.type,
          region: s.region,
          window: selection.window,
          from: new Date(Date.now() - rangeMs).toISOString(),
          limit: "10000",
        });
        return fetchJson<{ data: AggregationRow[] }>(`/api/aggregations?${params.toString()}`);
      },
      refetchInterval: 30_000,
    })),
  });

  const update = (next: Partial<AggregationSelection>) => {
    const nextSearch = selectionToSearch({ ...selection, ...next }).toString();
    router.replace(nextSearch ? `${pathname}?${nextSearch}` : pathname, { scroll: false });
  };

  const pending = results.some((r) => r.isPending);
  const failed = results.find((r) => r.isError);
  // The chart ends when its data was fetched (each fetch asks for the range up to then).
  const end = Math.max(0, ...results.map((r) => r.dataUpdatedAt));
  const rowsByMetric = useMemo(
    () =>
      buildRows(
        results.map((r) => r.data?.data),
        series,
        Number(selection.window) * 1000,
        rangeMs,
        end,
      ),
    [results, series, selection.window, rangeMs, end],
  );
  const domain: [number, number] = [end - rangeMs, end];

  return (
    <div className="space-y-4">
      <Card>
        <div className="grid gap-3 md:grid-cols-[1fr_1fr_auto_auto] md:items-end">
          <TagInput
            label="Event types"
            values={selection.types}
            onChange={(types) => update({ types: types.length > 0 ? types : ["*"] })}
            suggestions={known.types}
            placeholder="type, Enter"
            max={MAX_SERIES}
            hint="* is all types"
          />
          <TagInput
            label="Regions"
            values={selection.regions}
            onChange={(regions) => update({ regions: regions.length > 0 ? regions : ["*"] })}
            suggestions={known.regions}
            placeholder="region, Enter"
            max={MAX_SERIES}
            hint="* is all regions"
          />
          <Select
            label="Range"
            value={selection.range}
            onChange={(e) => update({ range: e.target.value as RangeValue })}
            options={RANGES}
            fieldClassName="md:mb-5"
          />
          <div className="flex flex-col gap-1 md:mb-5">
            <span className="text-xs font-medium text-slate-600">Window</span>
            <Segmented<WindowSize>
              label="Window size"
              value={selection.window}
              options={WINDOW_OPTIONS}
              onChange={(window) => update({ window })}
            />
          </div>
        </div>
        {selection.types.length * selection.regions.length > MAX_SERIES && (
          <p className="mt-2 text-xs text-amber-700">Showing the first {MAX_SERIES} combinations.</p>
        )}
      </Card>
      {failed ? (
        <ErrorState
          title="Could not load aggregations"
          error={failed.error}
          onRetry={() => results.forEach((r) => void r.refetch())}
        />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {METRICS.map((metric) => (
            <Card
              key={metric.key}
              title={metric.label}
              description={`Per ${selection.window === "60" ? "1-minute" : "5-minute"} window · ${viewerTimeZone()}`}
            >
              {pending ? (
                <Skeleton className="h-[220px] w-full" />
              ) : rowsByMetric.length === 0 ? (
                <EmptyState
                  className="h-[220px]"
                  title="No windows in this range"
                  description="Windows appear once events are processed; try a longer range."
                />
              ) : (
                <TimeSeriesChart
                  ariaLabel={`${metric.label} per window`}
                  data={rowsByMetric}
                  series={series.map((s) => ({ key: `${metric.key}:${s.key}`, label: s.label }))}
                  unit={metric.unit || undefined}
                  domain={domain}
                  height={CHART_HEIGHT}
                  showLegend
                />
              )}
            </Card>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * One chart row per window start over the range: a window with no row had no events, so
 * its count and users are 0 while its value statistics are gaps (null), not zeros.
 */
function buildRows(
  windowsPerSeries: (AggregationRow[] | undefined)[],
  series: readonly { key: string }[],
  windowMs: number,
  rangeMs: number,
  end: number,
): ChartRow[] {
  if (windowsPerSeries.every((windows) => !windows || windows.length === 0)) return [];
  const byTime = new Map<number, ChartRow>();
  for (let t = Math.ceil((end - rangeMs) / windowMs) * windowMs; t <= end - windowMs; t += windowMs) {
    const row: ChartRow = { t };
    for (const s of series) {
      row[`count:${s.key}`] = 0;
      row[`distinct_users:${s.key}`] = 0;
      row[`avg:${s.key}`] = null;
      row[`p95:${s.key}`] = null;
    }
    byTime.set(t, row);
  }
  windowsPerSeries.forEach((windows, index) => {
    const key = series[index]?.key;
    if (!key) return;
    for (const window of windows ?? []) {
      const t = Date.parse(window.window_start);
      const row = byTime.get(t) ?? ({ t } as ChartRow);
      for (const metric of METRICS) row[`${metric.key}:${key}`] = window[metric.key];
      byTime.set(t, row);
    }
  });
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useLiveEvent } from "@/components/providers/live-stream-provider";
import {
  Button,
  Card,
  EmptyState,
  ErrorState,
  Input,
  Segmented,
  Select,
  SkeletonRows,
} from "@/components/ui";
import { viewerTimeZone } from "@/components/ui/format";
import { anomalyKeys, fetchAnomalies, type AnomalyFilters } from "./api";
import { AnomalyCard } from "./anomaly-card";
import { metricLabels } from "./labels";

const statusOptions = [
  { value: "open", label: "Open" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
] as const;

const metricOptions = [
  { value: "", label: "All metrics" },
  ...Object.entries(metricLabels).map(([value, label]) => ({ value, label })),
];

const initialFilters: AnomalyFilters = { status: "all", eventType: "", region: "", metric: "" };

/** Anomalies newest first, filtered by status, type, region and metric; new ones arrive live. */
export function AnomaliesExplorer() {
  const [filters, setFilters] = useState<AnomalyFilters>(initialFilters);
  const [draft, setDraft] = useState({ eventType: "", region: "" });
  const client = useQueryClient();
  useLiveEvent("anomaly", () => void client.invalidateQueries({ queryKey: anomalyKeys.all }));

  const query = useInfiniteQuery({
    queryKey: anomalyKeys.list(filters),
    queryFn: ({ pageParam }) => fetchAnomalies(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 30_000,
  });
  const anomalies = query.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <div className="space-y-4">
      <Card label="Filters">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            setFilters((current) => ({ ...current, ...draft }));
          }}
        >
          <Segmented
            label="Status"
            value={filters.status}
            options={statusOptions}
            onChange={(status) => setFilters((current) => ({ ...current, status }))}
          />
          <Input
            label="Event type"
            placeholder="any (or * for the total)"
            value={draft.eventType}
            onChange={(event) => setDraft((current) => ({ ...current, eventType: event.target.value }))}
            fieldClassName="w-44"
          />
          <Input
            label="Region"
            placeholder="any"
            value={draft.region}
            onChange={(event) => setDraft((current) => ({ ...current, region: event.target.value }))}
            fieldClassName="w-36"
          />
          <Select
            label="Metric"
            value={filters.metric}
            options={metricOptions}
            onChange={(event) => setFilters((current) => ({ ...current, metric: event.target.value }))}
            fieldClassName="w-40"
          />
          <Button type="submit" variant="primary">
            Apply
          </Button>
        </form>
      </Card>
      <p className="text-xs text-slate-500">Newest first · times in {viewerTimeZone()}</p>
      {query.isPending ? (
        <SkeletonRows rows={6} />
      ) : query.error ? (
        <ErrorState
          title="Could not load anomalies"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : anomalies.length === 0 ? (
        <EmptyState
          title="No anomalies"
          description="The detector learns each series for 30 windows before it scores; anomalies show here as they are found."
        />
      ) : (
        <div className="space-y-4" data-testid="anomaly-list">
          {anomalies.map((anomaly) => (
            <AnomalyCard key={anomaly.id} anomaly={anomaly} />
          ))}
          {query.hasNextPage && (
            <div className="flex justify-center">
              <Button loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
                Load more
              </Button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

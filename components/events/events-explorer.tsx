"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import type { EventRow } from "@/db/queries/events";
import { useLiveNames } from "@/components/providers/live-stream-provider";
import {
  Button,
  ButtonLink,
  Card,
  EmptyState,
  ErrorState,
  fetchJson,
  SkeletonRows,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@/components/ui";
import { formatDateTime, formatDayTimeSeconds, formatNumber, viewerTimeZone } from "@/components/ui/format";
import { EventDetail } from "./event-detail";
import { FilterForm } from "./filter-form";
import { filtersFromSearch, filtersToApiQuery, filtersToSearch, type EventFilters } from "./filters";

const PAGE_SIZE = 50;

interface EventsPage {
  data: EventRow[];
  next_cursor: string | null;
}

/** Filters in the URL, a table of matching events newest first with "Load more", details on click. */
export function EventsExplorer() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const [selected, setSelected] = useState<EventRow | undefined>();
  const known = useLiveNames();

  const apply = (next: EventFilters) => {
    const nextSearch = filtersToSearch(next).toString();
    router.replace(nextSearch ? `${pathname}?${nextSearch}` : pathname, { scroll: false });
  };

  return (
    <div className="space-y-4">
      <Card>
        <FilterForm value={filters} onApply={apply} knownTypes={known.types} knownRegions={known.regions} />
      </Card>
      {/* Keyed by the filters: a preset range ("last hour") is anchored when they change. */}
      <EventsResults key={search} filters={filters} selectedId={selected?.event_id} onSelect={setSelected} />
      <EventDetail event={selected} onClose={() => setSelected(undefined)} />
    </div>
  );
}

/** The events matching the filters, newest first, a page at a time. */
function EventsResults({
  filters,
  selectedId,
  onSelect,
}: {
  filters: EventFilters;
  selectedId: string | undefined;
  onSelect: (event: EventRow) => void;
}) {
  // Fixed for the life of this table (remounted when the filters change), so pages stay consistent.
  const [anchorMs] = useState(() => Date.now());
  const apiQuery = useMemo(() => filtersToApiQuery(filters, anchorMs).toString(), [filters, anchorMs]);

  const query = useInfiniteQuery({
    queryKey: ["events", apiQuery],
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams(apiQuery);
      params.set("limit", String(PAGE_SIZE));
      if (pageParam) params.set("cursor", pageParam);
      return fetchJson<EventsPage>(`/api/events?${params.toString()}`);
    },
    initialPageParam: "",
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  const rows = query.data?.pages.flatMap((page) => page.data) ?? [];
  const exportQuery = new URLSearchParams(apiQuery);
  exportQuery.set("format", "csv");

  return (
    <Card
      title="Events"
      description={`Newest first · times in ${viewerTimeZone()}`}
      actions={
        <ButtonLink href={`/api/events/export?${exportQuery.toString()}`} size="sm" download>
          Export CSV
        </ButtonLink>
      }
    >
      {query.isPending ? (
        <SkeletonRows rows={8} />
      ) : query.isError ? (
        <ErrorState title="Could not load events" error={query.error} onRetry={() => void query.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          title="No events match these filters"
          description="Widen the time range or clear a filter."
        />
      ) : (
        <>
          <Table caption="Events matching the filters">
            <THead>
              <tr>
                <TH>Time</TH>
                <TH>Type</TH>
                <TH>Region</TH>
                <TH>User</TH>
                <TH className="text-right">Value</TH>
                <TH>Properties</TH>
              </tr>
            </THead>
            <TBody>
              {rows.map((event) => (
                <TR
                  key={`${event.event_id}|${event.timestamp}`}
                  interactive
                  selected={selectedId === event.event_id}
                  onClick={() => onSelect(event)}
                  data-testid="event-row"
                >
                  <TD className="whitespace-nowrap tabular-nums">
                    {/* The button makes each row reachable and openable from the keyboard. */}
                    <button
                      type="button"
                      className="rounded text-left text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
                      onClick={(e) => {
                        e.stopPropagation();
                        onSelect(event);
                      }}
                      aria-label={`Show ${event.event_type} event of ${formatDateTime(event.timestamp)}`}
                    >
                      {formatDayTimeSeconds(event.timestamp)}
                    </button>
                  </TD>
                  <TD className="font-medium whitespace-nowrap" data-testid="event-type">
                    {event.event_type}
                  </TD>
                  <TD className="whitespace-nowrap" data-testid="event-region">
                    {event.region ?? "–"}
                  </TD>
                  <TD className="max-w-40 truncate">{event.user_id ?? "–"}</TD>
                  <TD numeric>{formatNumber(event.value)}</TD>
                  <TD className="max-w-72 truncate font-mono text-xs text-slate-500">
                    {event.properties ? JSON.stringify(event.properties) : ""}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <div className="mt-4 flex items-center justify-between gap-2 text-xs text-slate-500">
            <span className="tabular-nums">
              {rows.length} event{rows.length === 1 ? "" : "s"} shown
            </span>
            {query.hasNextPage ? (
              <Button size="sm" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
                Load more
              </Button>
            ) : (
              <span>End of results</span>
            )}
          </div>
        </>
      )}
    </Card>
  );
}

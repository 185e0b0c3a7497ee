"use client";

import { useQuery } from "@tanstack/react-query";
import type { RealtimeSnapshot } from "@/lib/realtime/read-counters";

async function fetchRealtime(): Promise<RealtimeSnapshot> {
  const response = await fetch("/api/metrics/realtime?seconds=300", { cache: "no-store" });
  if (!response.ok) throw new Error(`realtime metrics answered ${response.status}`);
  return (await response.json()) as RealtimeSnapshot;
}

const number = new Intl.NumberFormat();

/** Event totals of the last five minutes, refreshed every second. */
export function LiveTotals() {
  const { data, error, isPending } = useQuery({
    queryKey: ["realtime"],
    queryFn: fetchRealtime,
    refetchInterval: 1000,
  });
  if (isPending) return <p className="text-sm text-slate-500">Loading live figures…</p>;
  if (error) return <p className="text-sm text-red-700">Live figures unavailable: {error.message}</p>;
  const types = Object.entries(data.by_type).sort((a, b) => b[1] - a[1]);
  return (
    <section aria-label="Live totals" className="grid gap-4 sm:grid-cols-3">
      <div className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="text-sm text-slate-500">Events, last 5 minutes</div>
        <div className="text-3xl font-semibold tabular-nums" data-testid="total-events">
          {number.format(data.total)}
        </div>
      </div>
      <div className="rounded-lg border border-slate-200 bg-white p-4 sm:col-span-2">
        <div className="mb-2 text-sm text-slate-500">By event type</div>
        {types.length === 0 ? (
          <p className="text-sm text-slate-500">No events yet.</p>
        ) : (
          <ul className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm">
            {types.map(([type, count]) => (
              <li key={type} className="flex justify-between">
                <span>{type}</span>
                <span className="tabular-nums">{number.format(count)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

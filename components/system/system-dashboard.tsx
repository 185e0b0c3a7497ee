"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { BarList } from "@/components/charts/bar-list";
import { TimeSeriesChart, type ChartRow } from "@/components/charts/time-series-chart";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  HealthBadge,
  Skeleton,
  Stat,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
  useNow,
} from "@/components/ui";
import { formatBytes, formatInteger, formatMs, formatNumber, formatRelative } from "@/components/ui/format";
import type { CardinalityStatus } from "@/db/queries/aggregation-regions";
import type { SystemPoint, WorkerSnapshot } from "@/db/queries/system-metrics";
import type { HealthAnswer } from "@/components/overview/health-badges";

export interface SystemAnswer {
  health: HealthAnswer;
  minutes: number;
  bucket_seconds: number;
  workers: WorkerSnapshot[] | null;
  series: SystemPoint[] | null;
  cardinality: CardinalityStatus | null;
}

async function fetchSystem(): Promise<SystemAnswer> {
  const response = await fetch("/api/system", { cache: "no-store" });
  if (!response.ok) throw new Error(`/api/system answered ${response.status}`);
  return (await response.json()) as SystemAnswer;
}

const DEPENDENCIES = [
  { key: "kafka", label: "Kafka", role: "event log: ingestion writes, processors read" },
  { key: "postgres", label: "PostgreSQL", role: "raw events, aggregations, offsets" },
  { key: "redis", label: "Redis", role: "live counters and the live stream" },
] as const;

/**
 * What each role's "in" and "out" per second and its duration mean: every process of every
 * role writes a system_metrics row every 10 s (lib/services/system/report-snapshots.ts and
 * workers/processor/system-snapshot.ts).
 */
export const ROLE_FIGURES = [
  {
    role: "web",
    label: "Web (ingest)",
    in: "events received",
    out: "acknowledged by Kafka",
    duration: "POST",
  },
  { role: "processor", label: "Processors", in: "events consumed", out: "events stored", duration: "batch" },
  {
    role: "anomaly",
    label: "Anomaly detector",
    in: "windows consumed",
    out: "windows scored",
    duration: "batch",
  },
  { role: "alerts", label: "Alert delivery", in: "webhook attempts", out: "delivered", duration: "webhook" },
] as const;

const figuresOf = (role: string) => ROLE_FIGURES.find((figures) => figures.role === role);

/** Health of the dependencies, every role's processes, throughput and consumer lag; refreshed every 10 s. */
export function SystemDashboard() {
  const { data, error, isPending, refetch } = useQuery({
    queryKey: ["system"],
    queryFn: fetchSystem,
    refetchInterval: 10_000,
  });
  const now = useNow(5000);

  const chartRows = useMemo<ChartRow[]>(
    () =>
      (data?.series ?? []).map((point) => ({
        t: Date.parse(point.t),
        in: point.events_in_per_second,
        persisted: point.events_persisted_per_second,
        lag: point.consumer_lag,
        p99: point.batch_p99_ms,
      })),
    [data],
  );

  if (isPending) {
    return (
      <div className="space-y-4" role="status" aria-label="Loading system status">
        <div className="grid gap-3 sm:grid-cols-3">
          {DEPENDENCIES.map((d) => (
            <Skeleton key={d.key} className="h-28 rounded-lg" />
          ))}
        </div>
        <Skeleton className="h-72 rounded-lg" />
      </div>
    );
  }
  if (error)
    return <ErrorState title="System status unavailable" error={error} onRetry={() => void refetch()} />;

  const running = (data.workers ?? []).filter((w) => w.running);
  const processors = running.filter((w) => w.role === "processor");
  const lagByPartition = new Map<string, number>();
  for (const worker of processors) {
    for (const [partition, lag] of Object.entries(worker.lag_by_partition)) {
      lagByPartition.set(partition, (lagByPartition.get(partition) ?? 0) + lag);
    }
  }
  const partitions = [...lagByPartition]
    // "<prefix>events.click/3" -> "click/3": the topic prefix is the same for every row.
    .map(([name, value]) => ({ name: name.replace(/^.*?events\./, ""), value }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  const totalLag = partitions.reduce((sum, p) => sum + p.value, 0);
  const totalIn = processors.reduce((sum, w) => sum + w.events_in_per_second, 0);
  const totalPersisted = processors.reduce((sum, w) => sum + w.events_persisted_per_second, 0);
  const to = now;
  const domain: [number, number] = [to - data.minutes * 60_000, to];

  return (
    <div className="space-y-4">
      <CardinalityNotice status={data.cardinality} />
      <section aria-label="Dependencies" className="grid gap-3 sm:grid-cols-3">
        {DEPENDENCIES.map((dependency) => {
          const check = data.health.checks[dependency.key];
          return (
            <div key={dependency.key} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs">
              <div className="flex items-center justify-between gap-2">
                <h2 className="text-sm font-semibold">{dependency.label}</h2>
                <HealthBadge status={check.status === "ok" ? "ok" : "down"} />
              </div>
              <p className="mt-1 text-xs text-slate-500">{dependency.role}</p>
              <p
                className="mt-2 h-5 truncate text-sm text-slate-700 tabular-nums"
                title={check.status === "down" ? check.error : undefined}
              >
                {check.status === "ok" ? `answered in ${formatMs(check.latency_ms)}` : check.error}
              </p>
            </div>
          );
        })}
      </section>

      <section aria-label="Processing figures" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Processors running"
          value={data.workers === null ? "–" : formatInteger(processors.length)}
          sub={
            data.workers === null
              ? "system metrics unavailable"
              : `${running.length} worker${running.length === 1 ? "" : "s"} running in all`
          }
          testId="processors-running"
        />
        <Stat label="Events in" value={formatNumber(Math.round(totalIn))} sub="per second, consumed" />
        <Stat
          label="Events persisted"
          value={formatNumber(Math.round(totalPersisted))}
          sub="per second, stored"
        />
        <Stat label="Consumer lag" value={formatInteger(totalLag)} sub="messages behind" />
      </section>

      {data.workers !== null && <RoleSummaries running={running} />}

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Throughput" description={`Processors, last ${data.minutes} minutes`}>
          {chartRows.length === 0 ? (
            <EmptyState
              className="h-[220px]"
              title="No snapshots yet"
              description="Processors write one every 10 s."
            />
          ) : (
            <TimeSeriesChart
              ariaLabel="Events consumed and persisted per second"
              data={chartRows}
              series={[
                { key: "in", label: "In", color: "#4f46e5" },
                { key: "persisted", label: "Persisted", color: "#059669" },
              ]}
              unit="events/s"
              domain={domain}
              height={220}
            />
          )}
        </Card>
        <Card title="Consumer lag" description={`All partitions, last ${data.minutes} minutes`}>
          {chartRows.length === 0 ? (
            <EmptyState className="h-[220px]" title="No snapshots yet" />
          ) : (
            <TimeSeriesChart
              ariaLabel="Consumer lag over time"
              data={chartRows}
              series={[{ key: "lag", label: "Lag", color: "#d97706" }]}
              unit="messages"
              variant="area"
              domain={domain}
              height={220}
              showLegend={false}
            />
          )}
        </Card>
      </div>

      <div className="grid gap-4 lg:grid-cols-5">
        <Card title="Workers" description="Latest snapshot of each instance" className="lg:col-span-3">
          {data.workers === null ? (
            <ErrorState title="System metrics unavailable" error="PostgreSQL did not answer." />
          ) : data.workers.length === 0 ? (
            <EmptyState title="No workers have reported" description="Start one with npm run worker." />
          ) : (
            <WorkersTable workers={data.workers} now={now} />
          )}
        </Card>
        <Card title="Lag per partition" description="Running processors, latest" className="lg:col-span-2">
          {partitions.length === 0 ? (
            <EmptyState title="No partitions assigned" />
          ) : (
            <BarList
              items={partitions}
              max={12}
              label="Consumer lag per partition"
              colorIndex={2}
              wideLabels
            />
          )}
        </Card>
      </div>
    </div>
  );
}

/** Running instances first; stopped ones (seen within the range) behind a toggle. */
function WorkersTable({ workers, now }: { workers: readonly WorkerSnapshot[]; now: number }) {
  const [showStopped, setShowStopped] = useState(false);
  const running = workers.filter((w) => w.running);
  const stopped = workers.filter((w) => !w.running);
  const shown = showStopped ? [...running, ...stopped] : running;
  return (
    <>
      {shown.length === 0 ? (
        <EmptyState title="No worker is running" description="None has reported in the last 35 s." />
      ) : (
        <WorkerRows workers={shown} now={now} />
      )}
      {stopped.length > 0 && (
        <Button size="sm" variant="ghost" className="mt-2" onClick={() => setShowStopped((v) => !v)}>
          {showStopped
            ? "Hide stopped instances"
            : `Show ${stopped.length} stopped instance${stopped.length === 1 ? "" : "s"}`}
        </Button>
      )}
    </>
  );
}

function WorkerRows({ workers, now }: { workers: readonly WorkerSnapshot[]; now: number }) {
  return (
    <Table caption="Worker instances">
      <THead>
        <tr>
          <TH>Instance</TH>
          <TH>Status</TH>
          <TH className="text-right">In/s</TH>
          <TH className="text-right">Out/s</TH>
          <TH className="text-right">Lag</TH>
          <TH className="text-right">p99</TH>
          <TH className="text-right">Memory</TH>
        </tr>
      </THead>
      <TBody>
        {workers.map((worker) => (
          <TR key={worker.instance}>
            <TD className="max-w-52">
              <div className="truncate font-medium" title={worker.instance}>
                {worker.instance}
              </div>
              <div className="text-xs text-slate-500">{worker.role}</div>
            </TD>
            <TD className="whitespace-nowrap">
              <Badge tone={worker.running ? "success" : "neutral"} dot>
                {worker.running ? "running" : "stopped"}
              </Badge>
              <div className="mt-0.5 text-xs text-slate-500">{formatRelative(worker.recorded_at, now)}</div>
            </TD>
            <TD numeric title={figuresOf(worker.role)?.in}>
              {formatNumber(Math.round(worker.events_in_per_second))}
            </TD>
            <TD numeric title={figuresOf(worker.role)?.out}>
              {formatNumber(Math.round(worker.events_persisted_per_second))}
            </TD>
            <TD numeric>{formatInteger(worker.consumer_lag)}</TD>
            <TD numeric title={figuresOf(worker.role)?.duration}>
              {formatMs(worker.batch_p99_ms)}
            </TD>
            <TD numeric>{formatBytes(worker.rss_bytes)}</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

/** One card per role: its running processes, and their figures summed (memory: the largest). */
function RoleSummaries({ running }: { running: readonly WorkerSnapshot[] }) {
  return (
    <section aria-label="Roles" className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
      {ROLE_FIGURES.map((figures) => {
        const mine = running.filter((worker) => worker.role === figures.role);
        const total = (pick: (worker: WorkerSnapshot) => number) =>
          mine.reduce((sum, worker) => sum + pick(worker), 0);
        return (
          <div
            key={figures.role}
            data-testid={`role-${figures.role}`}
            className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs"
          >
            <div className="flex items-center justify-between gap-2">
              <h2 className="text-sm font-semibold">{figures.label}</h2>
              <Badge tone={mine.length > 0 ? "success" : "warning"} dot>
                {mine.length === 0 ? "none reporting" : `${mine.length} running`}
              </Badge>
            </div>
            <dl className="mt-2 grid grid-cols-2 gap-x-2 gap-y-1 text-xs text-slate-600">
              <dt>{figures.in}</dt>
              <dd className="text-right tabular-nums">
                {formatNumber(Math.round(total((w) => w.events_in_per_second)))}/s
              </dd>
              <dt>{figures.out}</dt>
              <dd className="text-right tabular-nums">
                {formatNumber(Math.round(total((w) => w.events_persisted_per_second)))}/s
              </dd>
              <dt>memory (largest)</dt>
              <dd className="text-right tabular-nums">
                {mine.length === 0 ? "–" : formatBytes(Math.max(...mine.map((w) => w.rss_bytes)))}
              </dd>
            </dl>
          </div>
        );
      })}
    </section>
  );
}

/** Says when the aggregates' cardinality bounds are hit: some events are counted as "other". */
function CardinalityNotice({ status }: { status: CardinalityStatus | null }) {
  if (!status || (!status.region_limit_reached && !status.unconfigured_types_last_hour)) return null;
  return (
    <section
      role="status"
      aria-label="Cardinality bounds"
      className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900"
    >
      {status.region_limit_reached && (
        <p>
          Region limit reached: {formatInteger(status.regions_admitted)} regions have series of their own (
          <code>AGGREGATION_REGION_LIMIT</code> {formatInteger(status.region_limit)}); regions seen from now
          on are aggregated as <code>other</code>. Raw events keep their region.
        </p>
      )}
      {status.unconfigured_types_last_hour && (
        <p>
          Events of types not listed in <code>EVENT_TYPES</code> arrived in the last hour: they are aggregated
          as <code>other</code>. Raw events keep their type.
        </p>
      )}
    </section>
  );
}

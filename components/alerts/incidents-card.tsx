"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import Link from "next/link";
import {
  Badge,
  Button,
  Card,
  QueryStates,
  Segmented,
  SeverityBadge,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  type BadgeTone,
} from "@/components/ui";
import { formatDayTime, formatNumber } from "@/components/ui/format";
import type { IncidentStatus } from "@/lib/alerts/constants";
import { alertKeys, alertsApi } from "./api";
import { useCanEdit } from "@/components/providers/current-user";

const statusTones: Record<IncidentStatus, BadgeTone> = {
  open: "critical",
  acknowledged: "warning",
  resolved: "success",
};
const filters = [
  { value: "unresolved", label: "Unresolved" },
  { value: "all", label: "All" },
] as const;

/** Incidents newest first, with acknowledge. */
export function IncidentsCard({ highlight }: { highlight?: string }) {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const [filter, setFilter] = useState<(typeof filters)[number]["value"]>("all");
  const incidents = useQuery({
    queryKey: alertKeys.incidents(filter),
    queryFn: () => alertsApi.listIncidents(filter),
    refetchInterval: 10_000,
  });
  const acknowledge = useMutation({
    mutationFn: (id: string) => alertsApi.acknowledge(id),
    onSuccess: () => client.invalidateQueries({ queryKey: alertKeys.all }),
  });
  const list = incidents.data?.data ?? [];
  return (
    <Card
      title="Incidents"
      description="One per firing, from the window that opened it to the one that cleared it"
      actions={<Segmented label="Incident filter" value={filter} options={filters} onChange={setFilter} />}
    >
      <QueryStates
        query={incidents}
        isEmpty={list.length === 0}
        skeletonRows={3}
        empty={{ title: "No incidents", description: "Rules that fire open an incident here." }}
      >
        <Table caption="Alert incidents">
          <THead>
            <tr>
              <TH>Rule</TH>
              <TH>Status</TH>
              <TH>Fired</TH>
              <TH>Resolved</TH>
              <TH className="text-right">Observed</TH>
              <TH className="text-right">Actions</TH>
            </tr>
          </THead>
          <TBody>
            {list.map((incident) => (
              <TR key={incident.id} selected={incident.id === highlight} data-testid="incident-row">
                <TD>
                  <div className="font-medium">{incident.rule_name ?? incident.rule_id}</div>
                  <div className="text-xs text-slate-500">
                    {incident.event_type} · {incident.region} · {incident.metric}
                  </div>
                </TD>
                <TD>
                  <div className="flex flex-wrap gap-1">
                    <Badge tone={statusTones[incident.status]} dot>
                      {incident.status}
                    </Badge>
                    <SeverityBadge severity={incident.severity} />
                    {!incident.notified && <Badge title="Muted when it fired">muted</Badge>}
                  </div>
                </TD>
                <TD className="text-xs whitespace-nowrap">
                  {formatDayTime(incident.fired_at)}
                  <div className="text-slate-500">window {formatDayTime(incident.fired_window_start)}</div>
                </TD>
                <TD className="text-xs whitespace-nowrap">
                  {incident.resolved_at ? formatDayTime(incident.resolved_at) : "–"}
                </TD>
                <TD numeric>
                  {formatNumber(incident.observed)}
                  {incident.anomaly_id !== null && (
                    <div className="text-xs">
                      <Link
                        className="text-indigo-700 hover:underline"
                        href={`/anomalies/${incident.anomaly_id}`}
                      >
                        anomaly
                      </Link>
                    </div>
                  )}
                </TD>
                <TD className="text-right">
                  {canEdit && incident.status === "open" && (
                    <Button
                      size="sm"
                      loading={acknowledge.isPending && acknowledge.variables === incident.id}
                      onClick={() => acknowledge.mutate(incident.id)}
                    >
                      Acknowledge
                    </Button>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </QueryStates>
    </Card>
  );
}

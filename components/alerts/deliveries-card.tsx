"use client";

import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import {
  Badge,
  Card,
  QueryStates,
  Segmented,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  type BadgeTone,
} from "@/components/ui";
import { formatDayTime, formatMs, formatTime } from "@/components/ui/format";
import type { DeliveryStatus } from "@/lib/alerts/constants";
import { alertKeys, alertsApi } from "./api";

const statusTones: Record<DeliveryStatus, BadgeTone> = {
  pending: "neutral",
  retrying: "warning",
  delivered: "success",
  dead_lettered: "critical",
};
const filters = [
  { value: "all", label: "All" },
  { value: "retrying", label: "Retrying" },
  { value: "dead_lettered", label: "Dead letters" },
] as const;

/** Every webhook notification and each of its attempts; dead letters are the ones that gave up. */
export function DeliveriesCard() {
  const [filter, setFilter] = useState<(typeof filters)[number]["value"]>("all");
  const [open, setOpen] = useState<string | undefined>();
  const deliveries = useQuery({
    queryKey: alertKeys.deliveries(filter),
    queryFn: () => alertsApi.listDeliveries(filter),
    refetchInterval: 5_000,
  });
  const list = deliveries.data?.data ?? [];
  return (
    <Card
      title="Delivery log"
      description="Webhook notifications: 5 attempts with exponential backoff, then dead-lettered"
      actions={<Segmented label="Delivery filter" value={filter} options={filters} onChange={setFilter} />}
    >
      <QueryStates
        query={deliveries}
        isEmpty={list.length === 0}
        skeletonRows={3}
        empty={{ title: "No deliveries", description: "Webhook notifications and their attempts show here." }}
      >
        <Table caption="Webhook deliveries">
          <THead>
            <tr>
              <TH>Created</TH>
              <TH>Rule</TH>
              <TH>Kind</TH>
              <TH>Status</TH>
              <TH className="text-right">Attempts</TH>
              <TH>Last answer</TH>
            </tr>
          </THead>
          <TBody>
            {list.map((delivery) => (
              <Fragment key={delivery.id}>
                <TR
                  interactive
                  tabIndex={0}
                  aria-expanded={open === delivery.id}
                  data-testid="delivery-row"
                  onClick={() => setOpen(open === delivery.id ? undefined : delivery.id)}
                  onKeyDown={(event) => {
                    if (event.key === "Enter") setOpen(open === delivery.id ? undefined : delivery.id);
                  }}
                >
                  <TD className="text-xs whitespace-nowrap">{formatDayTime(delivery.created_at)}</TD>
                  <TD>{delivery.rule_name ?? delivery.rule_id}</TD>
                  <TD>{delivery.kind}</TD>
                  <TD>
                    <Badge tone={statusTones[delivery.status]} dot>
                      {delivery.status.replace("_", " ")}
                    </Badge>
                  </TD>
                  <TD numeric>
                    {delivery.attempts}/{delivery.max_attempts}
                  </TD>
                  <TD className="max-w-64 truncate text-xs" title={delivery.last_error ?? undefined}>
                    {delivery.last_status_code !== null ? `HTTP ${delivery.last_status_code}` : ""}
                    {delivery.last_error ? ` ${delivery.last_error}` : ""}
                  </TD>
                </TR>
                {open === delivery.id && (
                  <tr>
                    <td colSpan={6} className="bg-slate-50 px-2 py-2">
                      <div className="mb-1 truncate text-xs text-slate-500" title={delivery.url}>
                        POST {delivery.url}
                      </div>
                      <ol className="space-y-0.5 text-xs">
                        {delivery.attempt_log.length === 0 && <li>No attempt yet.</li>}
                        {delivery.attempt_log.map((attempt) => (
                          <li
                            key={`${attempt.attempt}-${attempt.attempted_at}`}
                            className="flex flex-wrap gap-x-3"
                          >
                            <span className="tabular-nums">#{attempt.attempt}</span>
                            <span>{formatTime(attempt.attempted_at)}</span>
                            <span>{attempt.outcome.replace("_", " ")}</span>
                            <span>
                              {attempt.status_code !== null ? `HTTP ${attempt.status_code}` : "no answer"}
                            </span>
                            <span>{formatMs(attempt.duration_ms)}</span>
                            {attempt.error && <span className="text-red-700">{attempt.error}</span>}
                          </li>
                        ))}
                      </ol>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </TBody>
        </Table>
      </QueryStates>
    </Card>
  );
}

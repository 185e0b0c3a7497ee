"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useLiveEvent } from "@/components/providers/live-stream-provider";
import { alertKeys } from "./api";
import { DeliveriesCard } from "./deliveries-card";
import { IncidentsCard } from "./incidents-card";
import { RulesCard } from "./rules-card";

/** Rules, incidents and deliveries; incident changes pushed on the live stream refresh them. */
export function AlertsDashboard({ windowSizes }: { windowSizes: readonly number[] }) {
  const client = useQueryClient();
  const search = useSearchParams();
  useLiveEvent("alert", () => void client.invalidateQueries({ queryKey: alertKeys.all }));
  return (
    <div className="space-y-6">
      <RulesCard windowSizes={windowSizes} highlight={search.get("rule") ?? undefined} />
      <IncidentsCard highlight={search.get("incident") ?? undefined} />
      <DeliveriesCard />
    </div>
  );
}

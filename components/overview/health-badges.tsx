"use client";

import { useQuery } from "@tanstack/react-query";
import { HealthBadge, type HealthStatus } from "@/components/ui";

type Check = { status: "ok"; latency_ms: number } | { status: "down"; error: string };
export interface HealthAnswer {
  status: "ok" | "degraded" | "down";
  checks: Record<"kafka" | "postgres" | "redis", Check>;
}

/** /api/health answers 503 with the same body when a dependency is down: read it either way. */
export async function fetchHealth(): Promise<HealthAnswer> {
  const response = await fetch("/api/health", { cache: "no-store" });
  if (response.status !== 200 && response.status !== 503)
    throw new Error(`health answered ${response.status}`);
  return (await response.json()) as HealthAnswer;
}

const LABELS = { kafka: "Kafka", postgres: "PostgreSQL", redis: "Redis" } as const;

/** One badge per dependency, refreshed every 10 s. */
export function HealthBadges() {
  const { data, error } = useQuery({ queryKey: ["health"], queryFn: fetchHealth, refetchInterval: 10_000 });
  return (
    <div className="flex flex-wrap items-center gap-1.5" aria-label="Dependency health">
      {(Object.keys(LABELS) as (keyof typeof LABELS)[]).map((name) => {
        const check = data?.checks[name];
        const status: HealthStatus = error
          ? "unknown"
          : check
            ? check.status === "ok"
              ? "ok"
              : "down"
            : "unknown";
        const title = check ? (check.status === "ok" ? `${check.latency_ms} ms` : check.error) : undefined;
        return <HealthBadge key={name} status={status} label={LABELS[name]} title={title} />;
      })}
    </div>
  );
}

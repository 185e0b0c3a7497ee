import type { Metadata } from "next";
import { Suspense } from "react";
import { AggregationsExplorer } from "@/components/aggregations/aggregations-explorer";
import { PageHeader, Skeleton } from "@/components/ui";

export const metadata: Metadata = { title: "Aggregations" };

export default function AggregationsPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Aggregations"
        description="Tumbling windows by event time: volume, distinct users and value statistics per window."
      />
      <Suspense fallback={<Skeleton className="h-96 w-full rounded-lg" />}>
        <AggregationsExplorer />
      </Suspense>
    </div>
  );
}

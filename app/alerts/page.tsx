import type { Metadata } from "next";
import { Suspense } from "react";
import { AlertsDashboard } from "@/components/alerts/alerts-dashboard";
import { PageHeader, SkeletonRows } from "@/components/ui";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

export default function AlertsPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Alerts"
        description="Rules on window series, the incidents they opened, and every notification sent."
      />
      {/* The dashboard reads ?rule= and ?incident= (links in notifications), known only at request time. */}
      <Suspense fallback={<SkeletonRows rows={8} />}>
        <AlertsDashboard windowSizes={getEnv().WINDOW_SIZES_SECONDS} />
      </Suspense>
    </div>
  );
}

import type { Metadata } from "next";
import { HealthBadges } from "@/components/overview/health-badges";
import { LatestAnomalies } from "@/components/overview/latest-anomalies";
import { LiveOverview } from "@/components/overview/live-overview";
import { PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <div className="space-y-6">
      <PageHeader title="Overview" description="What is happening now, live." actions={<HealthBadges />} />
      <LiveOverview />
      <LatestAnomalies />
    </div>
  );
}

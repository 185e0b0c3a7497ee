import type { Metadata } from "next";
import { SystemDashboard } from "@/components/system/system-dashboard";
import { PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "System" };

export default function SystemPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="System"
        description="Dependencies, stream processors, throughput and consumer lag."
      />
      <SystemDashboard />
    </div>
  );
}

import type { Metadata } from "next";
import { AnomaliesExplorer } from "@/components/anomalies/anomalies-explorer";
import { PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Anomalies" };

export default function AnomaliesPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Anomalies"
        description="Windows where a series (event type × region × metric) left the band the detector expected."
      />
      <AnomaliesExplorer />
    </div>
  );
}

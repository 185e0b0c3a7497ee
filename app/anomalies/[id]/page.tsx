import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AnomalyDetail } from "@/components/anomalies/anomaly-detail";
import { ButtonLink, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Anomaly" };

export default async function AnomalyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const numeric = Number(id);
  if (!Number.isSafeInteger(numeric) || numeric <= 0) notFound();
  return (
    <div className="space-y-6">
      <PageHeader
        title={`Anomaly #${numeric}`}
        actions={
          <ButtonLink href="/anomalies" size="sm">
            All anomalies
          </ButtonLink>
        }
      />
      <AnomalyDetail id={numeric} />
    </div>
  );
}

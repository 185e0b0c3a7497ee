import type { Metadata } from "next";
import { Suspense } from "react";
import { EventsExplorer } from "@/components/events/events-explorer";
import { PageHeader, SkeletonRows } from "@/components/ui";

export const metadata: Metadata = { title: "Events" };

export default function EventsPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Events"
        description="Search raw events. Filters live in the URL: copy it to share this view."
      />
      {/* The explorer reads the query string, which only the browser knows at render time. */}
      <Suspense fallback={<SkeletonRows rows={8} />}>
        <EventsExplorer />
      </Suspense>
    </div>
  );
}

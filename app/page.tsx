import { LiveTotals } from "@/components/overview/live-totals";

export default function OverviewPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Overview</h1>
      <LiveTotals />
    </div>
  );
}

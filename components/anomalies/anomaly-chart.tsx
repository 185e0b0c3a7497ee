"use client";

import { Area, CartesianGrid, ComposedChart, Line, ReferenceDot, Tooltip, XAxis, YAxis } from "recharts";
import { axisColor, gridColor } from "@/components/charts/palette";
import {
  formatCompact,
  formatDateTime,
  formatDayTime,
  formatNumber,
  formatShortTime,
} from "@/components/ui/format";
import type { SeriesPoint } from "@/lib/domain/alerts/series";

interface Row {
  t: number;
  observed: number;
  expected: number | null;
  band: [number, number] | null;
}

export interface AnomalyChartProps {
  points: readonly SeriesPoint[];
  /** The anomalous window, marked with a dot. */
  anomaly: { window_start: string; observed: number; direction: "spike" | "drop" };
  height?: number;
  ariaLabel: string;
  /** Compact: no axes labels beyond the minimum (cards in a list). */
  compact?: boolean;
}

/** The series around an anomaly: observed line, expected value and its band, the anomaly marked. */
export function AnomalyChart({
  points,
  anomaly,
  height = 260,
  ariaLabel,
  compact = false,
}: AnomalyChartProps) {
  const rows: Row[] = points.map((point) => ({
    t: Date.parse(point.window_start),
    observed: point.observed,
    expected: point.expected,
    band: point.lower !== null && point.upper !== null ? [Math.max(0, point.lower), point.upper] : null,
  }));
  const first = rows[0]?.t ?? 0;
  const last = rows[rows.length - 1]?.t ?? first;
  const longSpan = last - first > 86_400_000;
  const markColor = anomaly.direction === "spike" ? "#dc2626" : "#ea580c";
  return (
    <div role="img" aria-label={ariaLabel} style={{ height }} className="w-full">
      <ComposedChart
        data={rows}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        responsive
        style={{ width: "100%", height }}
      >
        <CartesianGrid stroke={gridColor} strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[first, last]}
          tickFormatter={(value: number) => (longSpan ? formatDayTime(value) : formatShortTime(value))}
          stroke={axisColor}
          tick={{ fontSize: 11 }}
          minTickGap={40}
          hide={compact}
        />
        <YAxis
          stroke={axisColor}
          tick={{ fontSize: 11 }}
          tickFormatter={(value: number) => formatCompact(value)}
          width={compact ? 36 : 48}
        />
        <Tooltip
          isAnimationActive={false}
          labelFormatter={(value) => (typeof value === "number" ? formatDateTime(value) : String(value))}
          formatter={(value, name) => {
            if (Array.isArray(value)) {
              return [`${formatNumber(Number(value[0]))} – ${formatNumber(Number(value[1]))}`, name];
            }
            return [typeof value === "number" ? formatNumber(value) : "–", name];
          }}
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: gridColor }}
        />
        <Area
          dataKey="band"
          name="Expected band"
          type="monotone"
          stroke="none"
          fill="#6366f1"
          fillOpacity={0.12}
          isAnimationActive={false}
          connectNulls={false}
        />
        <Line
          dataKey="expected"
          name="Expected"
          type="monotone"
          stroke="#6366f1"
          strokeDasharray="4 3"
          strokeWidth={1.25}
          dot={false}
          isAnimationActive={false}
          connectNulls={false}
        />
        <Line
          dataKey="observed"
          name="Observed"
          type="monotone"
          stroke="#0f172a"
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
        <ReferenceDot
          x={Date.parse(anomaly.window_start)}
          y={anomaly.observed}
          r={5}
          fill={markColor}
          stroke="white"
          strokeWidth={2}
          ifOverflow="extendDomain"
        />
      </ComposedChart>
    </div>
  );
}

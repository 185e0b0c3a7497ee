"use client";

import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import {
  formatCompact,
  formatDateTime,
  formatDayTime,
  formatNumber,
  formatShortTime,
  formatTime,
} from "@/components/ui/format";
import { axisColor, gridColor, seriesColor } from "./palette";
import { timeTicks } from "./time-ticks";

export interface ChartSeries {
  /** Key of the value in each data row. */
  key: string;
  label: string;
  color?: string;
}

/** One point in time (epoch ms in `t`) with a value per series key. */
export type ChartRow = { t: number } & Record<string, number | null>;

export interface TimeSeriesChartProps {
  data: readonly ChartRow[];
  series: readonly ChartSeries[];
  /** Fixed height in px: the chart never resizes as data arrives. */
  height?: number;
  /** Unit shown on the y axis and in the tooltip ("events/s", "ms"). */
  unit?: string;
  variant?: "line" | "area";
  /** [from, to] in epoch ms; defaults to the data's extent. */
  domain?: [number, number];
  /** About how many time ticks to show (fewer on phones). */
  tickCount?: number;
  /** Short description for screen readers (what the chart shows). */
  ariaLabel: string;
  showLegend?: boolean;
}

/**
 * A time-series chart: times on x in the viewer's time zone, one line (or filled area)
 * per series, tooltip and legend with units. No animation: live data must not wobble.
 */
export function TimeSeriesChart({
  data,
  series,
  height = 240,
  unit,
  variant = "line",
  domain,
  tickCount = 6,
  ariaLabel,
  showLegend = series.length > 1,
}: TimeSeriesChartProps) {
  const first = data[0]?.t ?? 0;
  const [from, to] = domain ?? [first, data[data.length - 1]?.t ?? first];
  const { ticks, detail } = timeTicks(from, to, tickCount);
  const tickFormatter =
    detail === "seconds"
      ? (value: number) => formatTime(value)
      : detail === "days"
        ? (value: number) => new Date(value).toLocaleDateString(undefined, { month: "short", day: "numeric" })
        : to - from > 86_400_000
          ? (value: number) => formatDayTime(value)
          : (value: number) => formatShortTime(value);
  const common = {
    data: data as ChartRow[],
    margin: { top: 8, right: 12, bottom: 0, left: 0 },
    responsive: true,
    style: { width: "100%", height },
    accessibilityLayer: true,
  };
  const axes = (
    <>
      <CartesianGrid stroke={gridColor} strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        ticks={ticks}
        tickFormatter={tickFormatter}
        stroke={axisColor}
        tick={{ fontSize: 11 }}
        minTickGap={40}
        allowDataOverflow
      />
      <YAxis
        stroke={axisColor}
        tick={{ fontSize: 11 }}
        tickFormatter={(value: number) => formatCompact(value)}
        width={48}
        allowDecimals={false}
      />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(value) => (typeof value === "number" ? formatDateTime(value) : String(value))}
        formatter={(value) =>
          `${typeof value === "number" ? formatNumber(value) : "–"}${unit ? ` ${unit}` : ""}`
        }
        contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: gridColor }}
      />
      {showLegend && <Legend wrapperStyle={{ fontSize: 12 }} iconType="plainline" />}
    </>
  );
  return (
    <div role="img" aria-label={ariaLabel} style={{ height }} className="w-full">
      {variant === "area" ? (
        <AreaChart {...common}>
          {axes}
          {series.map((s, index) => (
            <Area
              key={s.key}
              dataKey={s.key}
              name={s.label}
              type="monotone"
              stroke={s.color ?? seriesColor(index)}
              fill={s.color ?? seriesColor(index)}
              fillOpacity={0.12}
              strokeWidth={1.5}
              isAnimationActive={false}
              dot={false}
              connectNulls={false}
            />
          ))}
        </AreaChart>
      ) : (
        <LineChart {...common}>
          {axes}
          {series.map((s, index) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              type="monotone"
              stroke={s.color ?? seriesColor(index)}
              strokeWidth={1.5}
              isAnimationActive={false}
              dot={data.length < 40 ? { r: 2 } : false}
              connectNulls={false}
            />
          ))}
        </LineChart>
      )}
    </div>
  );
}

import { cn } from "@/components/ui/cn";
import { formatInteger, formatPercent } from "@/components/ui/format";
import { seriesColor } from "./palette";

export interface BarListItem {
  name: string;
  value: number;
}

/**
 * A ranked list with proportional bars (regional distribution, top types). Plain HTML:
 * readable by screen readers, no chart library needed, and rows have a fixed height.
 */
export function BarList({
  items,
  max = 8,
  label,
  colorIndex = 0,
  wideLabels = false,
}: {
  items: readonly BarListItem[];
  max?: number;
  label: string;
  colorIndex?: number;
  /** Room for long names (topic/partition). */
  wideLabels?: boolean;
}) {
  const total = items.reduce((sum, item) => sum + item.value, 0);
  const top = items.slice(0, max);
  const rest = items.slice(max).reduce((sum, item) => sum + item.value, 0);
  const rows = rest > 0 ? [...top, { name: `${items.length - max} more`, value: rest }] : top;
  const largest = Math.max(1, ...rows.map((row) => row.value));
  return (
    <ul aria-label={label} className="space-y-1.5">
      {rows.map((row) => (
        <li
          key={row.name}
          className={cn(
            "grid h-6 items-center gap-3 text-sm",
            wideLabels ? "grid-cols-[minmax(0,12rem)_1fr_auto]" : "grid-cols-[minmax(0,8rem)_1fr_auto]",
          )}
        >
          <span className="truncate text-slate-700" title={row.name}>
            {row.name}
          </span>
          <span aria-hidden className="h-2 overflow-hidden rounded-full bg-slate-100">
            <span
              className="block h-full rounded-full"
              style={{ width: `${(row.value / largest) * 100}%`, backgroundColor: seriesColor(colorIndex) }}
            />
          </span>
          <span className="w-24 text-right text-slate-600 tabular-nums">
            {formatInteger(row.value)}
            <span className="ml-1.5 inline-block w-9 text-xs text-slate-400">
              {total > 0 ? formatPercent(row.value / total) : ""}
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}

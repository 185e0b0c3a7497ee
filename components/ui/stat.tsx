import type { ReactNode } from "react";
import { cn } from "./cn";

export interface StatProps {
  label: ReactNode;
  value: ReactNode;
  /** A second line: a rate, a unit, a comparison. */
  sub?: ReactNode;
  testId?: string;
  className?: string;
}

/** A headline figure in a card. Tabular numbers keep the width stable as values change. */
export function Stat({ label, value, sub, testId, className }: StatProps) {
  return (
    <div className={cn("min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-xs", className)}>
      <div className="truncate text-xs font-medium text-slate-500">{label}</div>
      <div
        className="mt-1 truncate text-2xl font-semibold text-slate-900 tabular-nums sm:text-3xl"
        data-testid={testId}
      >
        {value}
      </div>
      <div className="mt-0.5 h-4 truncate text-xs text-slate-500 tabular-nums">{sub}</div>
    </div>
  );
}

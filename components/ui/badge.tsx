import type { ReactNode } from "react";
import { cn } from "./cn";

export type BadgeTone = "neutral" | "info" | "success" | "warning" | "danger" | "critical";
export type Severity = "low" | "medium" | "high" | "critical";

const toneClasses: Record<BadgeTone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-200",
  info: "bg-sky-50 text-sky-800 ring-sky-200",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  warning: "bg-amber-50 text-amber-800 ring-amber-200",
  danger: "bg-orange-50 text-orange-800 ring-orange-200",
  critical: "bg-red-50 text-red-800 ring-red-200",
};

const dotClasses: Record<BadgeTone, string> = {
  neutral: "bg-slate-400",
  info: "bg-sky-500",
  success: "bg-emerald-500",
  warning: "bg-amber-500",
  danger: "bg-orange-500",
  critical: "bg-red-600",
};

export interface BadgeProps {
  tone?: BadgeTone;
  /** Show a coloured dot before the text (status indicators). */
  dot?: boolean;
  children: ReactNode;
  className?: string;
  title?: string;
}

/** A small pill for statuses, severities and counts. */
export function Badge({ tone = "neutral", dot = false, children, className, title }: BadgeProps) {
  return (
    <span
      title={title}
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        toneClasses[tone],
        className,
      )}
    >
      {dot && <span aria-hidden className={cn("size-1.5 rounded-full", dotClasses[tone])} />}
      {children}
    </span>
  );
}

/** The tone of each anomaly severity, so every page colours them alike. */
export function severityTone(severity: Severity): BadgeTone {
  switch (severity) {
    case "low":
      return "info";
    case "medium":
      return "warning";
    case "high":
      return "danger";
    case "critical":
      return "critical";
  }
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge tone={severityTone(severity)} dot>
      {severity}
    </Badge>
  );
}

/** Health of a dependency or worker: ok (green), degraded (amber), down (red), unknown (grey). */
export type HealthStatus = "ok" | "degraded" | "down" | "unknown";

const healthTones: Record<HealthStatus, BadgeTone> = {
  ok: "success",
  degraded: "warning",
  down: "critical",
  unknown: "neutral",
};

export function HealthBadge({
  status,
  label,
  title,
}: {
  status: HealthStatus;
  label?: string;
  title?: string;
}) {
  return (
    <Badge tone={healthTones[status]} dot title={title}>
      {label ? `${label}: ${status}` : status}
    </Badge>
  );
}

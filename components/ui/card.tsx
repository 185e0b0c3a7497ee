import type { ReactNode } from "react";
import { cn } from "./cn";

export interface CardProps {
  /** Heading shown in the card's header; also names the section for screen readers. */
  title?: ReactNode;
  description?: ReactNode;
  /** Controls shown at the right of the header (buttons, selects, a badge). */
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  bodyClassName?: string;
  /** Accessible name when there is no title text. */
  label?: string;
}

/** A white panel with an optional header; the basic container of every page. */
export function Card({ title, description, actions, children, className, bodyClassName, label }: CardProps) {
  const hasHeader = title !== undefined || actions !== undefined;
  return (
    <section
      aria-label={label ?? (typeof title === "string" ? title : undefined)}
      className={cn("min-w-0 rounded-lg border border-slate-200 bg-white shadow-xs", className)}
    >
      {hasHeader && (
        <header className="flex flex-wrap items-start justify-between gap-2 border-b border-slate-100 px-4 py-3">
          <div className="min-w-0">
            {title !== undefined && <h2 className="text-sm font-semibold text-slate-800">{title}</h2>}
            {description !== undefined && <p className="mt-0.5 text-xs text-slate-500">{description}</p>}
          </div>
          {actions !== undefined && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
        </header>
      )}
      <div className={cn("p-4", bodyClassName)}>{children}</div>
    </section>
  );
}

import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cn } from "./cn";

/** A full-width table that scrolls sideways on narrow screens instead of breaking the layout. */
export function Table({
  children,
  className,
  caption,
}: {
  children: ReactNode;
  className?: string;
  caption?: string;
}) {
  return (
    <div className="-mx-4 overflow-x-auto px-4">
      <table className={cn("w-full border-collapse text-left text-sm", className)}>
        {caption && <caption className="sr-only">{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return <thead className="border-b border-slate-200 text-xs text-slate-500">{children}</thead>;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100">{children}</tbody>;
}

export interface TRProps extends HTMLAttributes<HTMLTableRowElement> {
  /** Highlights the row on hover and shows a pointer (rows that open something). */
  interactive?: boolean;
  selected?: boolean;
}

export function TR({ interactive, selected, className, ...rest }: TRProps) {
  return (
    <tr
      className={cn(
        interactive &&
          "cursor-pointer hover:bg-slate-50 focus-visible:bg-indigo-50 focus-visible:outline-none",
        selected && "bg-indigo-50",
        className,
      )}
      {...rest}
    />
  );
}

export function TH({ className, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cn("px-2 py-2 font-medium whitespace-nowrap first:pl-0", className)}
      {...rest}
    />
  );
}

export interface TDProps extends TdHTMLAttributes<HTMLTableCellElement> {
  /** Right-aligned tabular figures. */
  numeric?: boolean;
}

export function TD({ numeric, className, ...rest }: TDProps) {
  return (
    <td
      className={cn("px-2 py-2 align-top first:pl-0", numeric && "text-right tabular-nums", className)}
      {...rest}
    />
  );
}

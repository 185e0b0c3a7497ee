"use client";

import { useId, type ReactNode } from "react";
import { cn } from "./cn";

export interface FieldProps {
  label?: ReactNode;
  hint?: ReactNode;
  /** A message shown under the control in red; marks the control invalid. */
  error?: ReactNode;
  className?: string;
  /** Renders the control, given the ids that wire it to its label, hint and error. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  id?: string;
}

/** Label, control, hint and error laid out alike everywhere (the base of Input and Select). */
export function Field({ label, hint, error, className, children, id }: FieldProps) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("flex min-w-0 flex-col gap-1", className)}>
      {label !== undefined && (
        <label htmlFor={controlId} className="text-xs font-medium text-slate-600">
          {label}
        </label>
      )}
      {children({ id: controlId, describedBy, invalid: Boolean(error) })}
      {hint && !error && (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} role="alert" className="text-xs font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

export const controlClasses =
  "block w-full rounded-md border-0 bg-white px-2.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 focus:outline-none disabled:bg-slate-50 disabled:text-slate-500 aria-invalid:ring-red-500";

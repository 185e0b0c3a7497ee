"use client";

import type { ReactNode, SelectHTMLAttributes } from "react";
import { cn } from "./cn";
import { controlClasses, Field } from "./field";

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "size"> {
  label?: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  /** The choices; or pass <option> children instead. */
  options?: readonly SelectOption[];
  fieldClassName?: string;
}

/** A native select (keyboard and screen-reader friendly for free) with label, hint and error. */
export function Select({
  label,
  hint,
  error,
  options,
  fieldClassName,
  className,
  id,
  children,
  ...rest
}: SelectProps) {
  return (
    <Field label={label} hint={hint} error={error} className={fieldClassName} id={id}>
      {({ id: controlId, describedBy, invalid }) => (
        <select
          id={controlId}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          className={cn(controlClasses, "h-9 pr-8", className)}
          {...rest}
        >
          {options?.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
          {children}
        </select>
      )}
    </Field>
  );
}

"use client";

import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from "react";
import { cn } from "./cn";
import { controlClasses, Field } from "./field";

export interface InputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "size"> {
  label?: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  /** Classes of the wrapping field (width in a grid, for instance). */
  fieldClassName?: string;
}

/** A text-like input with its label, hint and error. */
export function Input({ label, hint, error, fieldClassName, className, id, ...rest }: InputProps) {
  return (
    <Field label={label} hint={hint} error={error} className={fieldClassName} id={id}>
      {({ id: controlId, describedBy, invalid }) => (
        <input
          id={controlId}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          className={cn(controlClasses, "h-9", className)}
          {...rest}
        />
      )}
    </Field>
  );
}

export interface TextareaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label?: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  fieldClassName?: string;
}

export function Textarea({ label, hint, error, fieldClassName, className, id, ...rest }: TextareaProps) {
  return (
    <Field label={label} hint={hint} error={error} className={fieldClassName} id={id}>
      {({ id: controlId, describedBy, invalid }) => (
        <textarea
          id={controlId}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          className={cn(controlClasses, "min-h-20 py-2", className)}
          {...rest}
        />
      )}
    </Field>
  );
}

"use client";

import { useId, useState, type KeyboardEvent } from "react";
import { cn } from "./cn";
import { controlClasses } from "./field";

export interface TagInputProps {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  /** Suggestions offered while typing. */
  suggestions?: readonly string[];
  placeholder?: string;
  /** At most this many values. */
  max?: number;
  hint?: string;
}

/** A list of short values as removable chips; Enter or comma adds the typed value. */
export function TagInput({
  label,
  values,
  onChange,
  suggestions = [],
  placeholder,
  max = 10,
  hint,
}: TagInputProps) {
  const id = useId();
  const [text, setText] = useState("");
  const full = values.length >= max;
  const add = () => {
    const value = text.trim().replace(/,$/, "");
    if (value && !values.includes(value) && !full) onChange([...values, value]);
    setText("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add();
    } else if (event.key === "Backspace" && text === "" && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  };
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      <div
        className={cn(
          controlClasses,
          "flex min-h-9 flex-wrap items-center gap-1 py-1 focus-within:ring-2 focus-within:ring-indigo-600",
        )}
      >
        {values.map((value) => (
          <span
            key={value}
            className="inline-flex items-center gap-1 rounded bg-slate-100 py-0.5 pr-1 pl-2 text-xs text-slate-800"
          >
            {value}
            <button
              type="button"
              onClick={() => onChange(values.filter((v) => v !== value))}
              aria-label={`Remove ${value}`}
              className="rounded px-1 text-slate-500 hover:bg-slate-200 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              ×
            </button>
          </span>
        ))}
        <input
          id={id}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={add}
          disabled={full}
          placeholder={full ? "" : placeholder}
          list={`${id}-suggestions`}
          autoComplete="off"
          aria-describedby={hint ? `${id}-hint` : undefined}
          className="min-w-20 flex-1 border-0 bg-transparent p-0 text-sm focus:ring-0 focus:outline-none"
        />
        <datalist id={`${id}-suggestions`}>
          {suggestions
            .filter((s) => !values.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

"use client";

import { Button } from "./button";
import { cn } from "./cn";

export interface ErrorStateProps {
  title?: string;
  /** The failure; only its message is shown. */
  error?: unknown;
  /** Shows a "Try again" button. */
  onRetry?: () => void;
  className?: string;
}

function messageOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  return undefined;
}

/** What a panel shows when its data could not be loaded. */
export function ErrorState({ title = "Could not load this", error, onRetry, className }: ErrorStateProps) {
  const message = messageOf(error);
  return (
    <div
      role="alert"
      className={cn(
        "flex h-full min-h-32 flex-col items-center justify-center gap-1 rounded-md border border-red-200 bg-red-50/60 px-4 py-6 text-center",
        className,
      )}
    >
      <p className="text-sm font-medium text-red-800">{title}</p>
      {message && <p className="max-w-md text-xs break-words text-red-700">{message}</p>}
      {onRetry && (
        <Button size="sm" className="mt-2" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

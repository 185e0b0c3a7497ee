"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { cn } from "./cn";

export interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  /** "side": a full-height panel from the right (details); "center": a modal box (forms, confirmations). */
  variant?: "side" | "center";
  footer?: ReactNode;
}

/**
 * A modal on the native <dialog> element: focus is trapped and restored, Escape and a
 * click on the backdrop close it.
 */
export function Dialog({ open, onClose, title, children, variant = "center", footer }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
      aria-labelledby="dialog-title"
      className={cn(
        "bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/30",
        variant === "side"
          ? "fixed top-0 right-0 left-auto m-0 h-dvh max-h-dvh w-full max-w-xl border-l border-slate-200"
          : "m-auto w-[calc(100%-2rem)] max-w-lg rounded-lg",
      )}
    >
      {open && (
        <div className="flex h-full max-h-dvh flex-col">
          <header className="flex items-center justify-between gap-2 border-b border-slate-200 px-4 py-3">
            <h2 id="dialog-title" className="min-w-0 truncate text-sm font-semibold">
              {title}
            </h2>
            <button
              type="button"
              onClick={onClose}
              aria-label="Close"
              className="rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              <svg viewBox="0 0 20 20" className="size-4" aria-hidden fill="currentColor">
                <path d="M5.3 4.3a1 1 0 0 0-1 1.4L8.6 10l-4.3 4.3a1 1 0 1 0 1.4 1.4L10 11.4l4.3 4.3a1 1 0 0 0 1.4-1.4L11.4 10l4.3-4.3a1 1 0 0 0-1.4-1.4L10 8.6 5.7 4.3a1 1 0 0 0-.4-.1z" />
              </svg>
            </button>
          </header>
          <div className="min-h-0 flex-1 overflow-auto p-4">{children}</div>
          {footer && (
            <footer className="flex justify-end gap-2 border-t border-slate-200 px-4 py-3">{footer}</footer>
          )}
        </div>
      )}
    </dialog>
  );
}

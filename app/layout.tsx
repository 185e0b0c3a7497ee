import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { LiveIndicator } from "@/components/providers/live-indicator";
import { LiveStreamProvider } from "@/components/providers/live-stream-provider";
import { QueryProvider } from "@/components/providers/query-provider";
import { AppNav } from "@/components/ui/app-nav";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Pulse analytics", template: "%s · Pulse" },
  description: "Real-time product analytics",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

const sections = [
  { href: "/", label: "Overview" },
  { href: "/events", label: "Events" },
  { href: "/aggregations", label: "Aggregations" },
  { href: "/anomalies", label: "Anomalies" },
  { href: "/alerts", label: "Alerts" },
  { href: "/system", label: "System" },
] as const;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        <QueryProvider>
          <LiveStreamProvider>
            <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur">
              <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5">
                <a href="/" className="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
                  <span
                    aria-hidden
                    className="grid size-6 place-items-center rounded bg-indigo-600 text-xs text-white"
                  >
                    P
                  </span>
                  Pulse
                </a>
                <div className="order-last w-full sm:order-none sm:w-auto sm:flex-1">
                  <AppNav items={sections} />
                </div>
                <div className="ml-auto sm:ml-0">
                  <LiveIndicator />
                </div>
              </div>
            </header>
            <main id="main" className="mx-auto max-w-7xl px-4 py-6">
              {children}
            </main>
          </LiveStreamProvider>
        </QueryProvider>
      </body>
    </html>
  );
}

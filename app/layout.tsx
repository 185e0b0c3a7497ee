import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { UserMenu } from "@/components/auth/user-menu";
import { CurrentUserProvider } from "@/components/providers/current-user";
import { LiveIndicator } from "@/components/providers/live-indicator";
import { LiveStreamProvider } from "@/components/providers/live-stream-provider";
import { QueryProvider } from "@/components/providers/query-provider";
import { AppNav } from "@/components/ui/app-nav";
import { projectChoice } from "@/lib/auth/authorize";
import { sessionUser } from "@/lib/auth/server";
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

/** The signed-in user, or null (the sign-in page; a store that does not answer). */
async function currentUser() {
  // outside the try: reading headers is what makes every page render per request
  const requestHeaders = await headers();
  try {
    const user = await sessionUser(requestHeaders);
    if (!user) return null;
    return { ...user, ...(await projectChoice(requestHeaders, user.id, user.role)) };
  } catch {
    return null;
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) {
    return (
      <html lang="en">
        <body>
          <QueryProvider>
            <main id="main" className="mx-auto max-w-7xl px-4 py-6">
              {children}
            </main>
          </QueryProvider>
        </body>
      </html>
    );
  }
  return (
    <html lang="en">
      <body>
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        <CurrentUserProvider
          user={{ email: user.email, role: user.role, project: user.project, projects: user.projects }}
        >
          <QueryProvider>
            <LiveStreamProvider>
              <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur">
                <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5">
                  <Link
                    href="/"
                    className="flex items-center gap-2 font-semibold tracking-tight text-slate-900"
                  >
                    <span
                      aria-hidden
                      className="grid size-6 place-items-center rounded bg-indigo-600 text-xs text-white"
                    >
                      P
                    </span>
                    Pulse
                  </Link>
                  <div className="order-last w-full sm:order-none sm:w-auto sm:flex-1">
                    <AppNav items={sections} />
                  </div>
                  <div className="ml-auto flex items-center gap-3 sm:ml-0">
                    <LiveIndicator />
                    <UserMenu />
                  </div>
                </div>
              </header>
              <main id="main" className="mx-auto max-w-7xl px-4 py-6">
                {children}
              </main>
            </LiveStreamProvider>
          </QueryProvider>
        </CurrentUserProvider>
      </body>
    </html>
  );
}

"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";
import { cn } from "./cn";

export interface NavItem {
  href: string;
  label: string;
}

/** The main navigation; marks the current section. Scrolls sideways on phones. */
export function AppNav({ items }: { items: readonly NavItem[] }) {
  const pathname = usePathname();
  const navRef = useRef<HTMLElement>(null);
  // On phones the bar scrolls: keep the current section in view.
  useEffect(() => {
    navRef.current
      ?.querySelector('[aria-current="page"]')
      ?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [pathname]);
  return (
    <nav ref={navRef} aria-label="Main" className="-mx-1 flex min-w-0 gap-1 overflow-x-auto text-sm">
      {items.map((item) => {
        const current = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={cn(
              "rounded-md px-2.5 py-1.5 whitespace-nowrap transition-colors focus-visible:outline-2 focus-visible:outline-indigo-600",
              current ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:text-slate-900",
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

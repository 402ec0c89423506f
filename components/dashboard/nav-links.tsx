"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/utils";

export function NavLinks({ pages }: { pages: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex gap-1 md:flex-col">
      {pages.map((p) => {
        const active = pathname === p.href || pathname.startsWith(`${p.href}/`);
        return (
          <li key={p.href}>
            <Link
              href={p.href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "block rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600",
                active ? "bg-indigo-50 text-indigo-800" : "text-slate-700 hover:bg-slate-100",
              )}
            >
              {p.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

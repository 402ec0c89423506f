import type { ReactNode } from "react";
import { NavLinks } from "@/components/dashboard/nav-links";
import { DashboardProviders } from "@/components/dashboard/providers";
import { Button } from "@/components/ui/button";
import { can, PAGES } from "@/server/auth/access";
import { currentMember } from "@/server/auth/current";
import { signOutAction } from "../(auth)/login/actions";

/** The frame of every dashboard page; the session and role are checked here and again by each page and procedure. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const member = await currentMember();
  const pages = PAGES.filter((p) => can(member.role, p.procedure)).map(({ href, label }) => ({ href, label }));
  return (
    <DashboardProviders>
      <div className="md:flex md:min-h-screen">
        <aside className="border-b border-slate-200 bg-white md:w-56 md:shrink-0 md:border-r md:border-b-0">
          <div className="flex items-center justify-between px-4 py-3 md:block">
            <p className="text-lg font-semibold tracking-tight">Payrail</p>
            <p className="text-xs text-slate-600 md:mt-1">{member.merchantName}</p>
          </div>
          <nav aria-label="Main" className="overflow-x-auto px-2 pb-2 md:px-3">
            <NavLinks pages={pages} />
          </nav>
        </aside>
        <div className="min-w-0 flex-1">
          <header className="flex flex-wrap items-center justify-end gap-3 border-b border-slate-200 bg-white px-4 py-2 text-sm">
            <span className="text-slate-700">
              {member.email} · <span className="font-medium">{member.platformAdmin ? "platform admin" : member.role}</span>
            </span>
            <form action={signOutAction}>
              <Button type="submit" variant="outline" size="sm">
                Sign out
              </Button>
            </form>
          </header>
          <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
        </div>
      </div>
    </DashboardProviders>
  );
}

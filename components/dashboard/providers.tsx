import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { ReactNode } from "react";
import { Toaster } from "@/components/ui/toaster";
import { TrpcProvider } from "@/trpc/client";

/** Client state for dashboard pages only: the hosted checkout carries none of it. */
export function DashboardProviders({ children }: { children: ReactNode }) {
  return (
    <NuqsAdapter>
      <TrpcProvider>{children}</TrpcProvider>
      <Toaster />
    </NuqsAdapter>
  );
}

"use client";

import { type QueryCache, QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/trpc/root";
import { makeQueryClient } from "./query-client";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

const isUnauthorized = (e: unknown) => e instanceof TRPCClientError && e.data?.code === "UNAUTHORIZED";

let browserClient: QueryClient | undefined;
function getQueryClient() {
  if (typeof window === "undefined") return makeQueryClient();
  if (!browserClient) {
    browserClient = makeQueryClient();
    // A session that ended sends the person to sign in again; never retried.
    browserClient.setDefaultOptions({
      ...browserClient.getDefaultOptions(),
      queries: { ...browserClient.getDefaultOptions().queries, retry: (n, e) => !isUnauthorized(e) && !(e instanceof TRPCClientError && e.data?.httpStatus < 500) && n < 2 },
    });
    (browserClient.getQueryCache() as QueryCache).subscribe((event) => {
      if (event.type === "updated" && isUnauthorized(event.query.state.error)) window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    });
  }
  return browserClient;
}

export function TrpcProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] }));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

import type { Metadata } from "next";
import type { SearchParams } from "nuqs/server";
import { Suspense } from "react";
import { PaymentsTable, PaymentsTableSkeleton } from "@/components/payments/payments-table";
import { PaymentsToolbar } from "@/components/payments/payments-toolbar";
import { loadPaymentSearchParams, toListInput } from "@/components/payments/search-params";
import { currentMember } from "@/server/auth/current";
import { HydrateClient, prefetch, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Payments · Payrail" };

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await currentMember(); // every role may list payments (ACCESS["payments.list"]); the procedure checks again
  const filters = toListInput(await loadPaymentSearchParams(searchParams));
  prefetch(trpc.payments.list.queryOptions(filters));
  return (
    <HydrateClient>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Payments</h1>
      <PaymentsToolbar />
      <Suspense fallback={<PaymentsTableSkeleton />}>
        <PaymentsTable />
      </Suspense>
    </HydrateClient>
  );
}

import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { Skeleton } from "@/components/ui/card";
import { PaymentDetailView } from "@/components/payments/payment-detail";
import { currentMember } from "@/server/auth/current";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Payment · Payrail" };

export default async function PaymentPage({ params }: { params: Promise<{ id: string }> }) {
  await currentMember();
  const { id } = await params;
  const qc = getQueryClient();
  try {
    // Awaited (not only prefetched): another merchant's id, or none, is this page's 404.
    await Promise.all([qc.fetchQuery(trpc.payments.detail.queryOptions({ id })), qc.fetchQuery(trpc.session.me.queryOptions())]);
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  }
  return (
    <HydrateClient>
      <Suspense fallback={<Skeleton className="h-64" />}>
        <PaymentDetailView id={id} />
      </Suspense>
    </HydrateClient>
  );
}

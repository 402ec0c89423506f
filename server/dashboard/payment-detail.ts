import { and, asc, eq, inArray, or } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { charges, events, ledgerAccounts, ledgerJournals, ledgerLines, paymentAttempts, paymentIntents, refunds } from "@/db/schema";
import type { MemberRole } from "@/db/schema/statuses";
import { can } from "../auth/access";
import { DomainError } from "../errors";
import { committedRefundTotal } from "../refunds/repository";
import { canTransition } from "../payments/state-machine";
import { statusGroupOf } from "./payment-filters";

export type TimelineKind = "event" | "psp" | "ledger" | "refund";

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  title: string;
  detail: string | null;
  /** Ledger journals list their lines: account, signed amount in minor units. */
  lines?: { account: string; amountMinor: string; currency: string }[];
}

/**
 * Everything the payment page shows, scoped to the merchant (another merchant's id is "not found").
 * Never the client secret: dashboard readers include roles that must not act as the customer.
 */
export async function paymentDetail(db: DbOrTx, merchantId: string, role: MemberRole, id: string) {
  const [row] = await db
    .select({ pi: paymentIntents, charge: charges })
    .from(paymentIntents)
    .leftJoin(charges, eq(charges.id, paymentIntents.latestChargeId))
    .where(and(eq(paymentIntents.merchantId, merchantId), eq(paymentIntents.id, id)));
  if (!row) throw new DomainError("resource_missing", `No such payment: '${id}'`, { param: "id" });
  const { pi, charge } = row;
  const [refundRows, attempts, eventRows, journals, committed] = await Promise.all([
    db.select().from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.paymentIntentId, id))).orderBy(asc(refunds.createdAt)),
    db.select().from(paymentAttempts).where(and(eq(paymentAttempts.merchantId, merchantId), eq(paymentAttempts.paymentIntentId, id))).orderBy(asc(paymentAttempts.createdAt)),
    eventsFor(db, merchantId, id),
    journalsFor(db, merchantId, id),
    committedRefundTotal(db, id),
  ]);
  const refundable = pi.amountReceived - committed;
  const timeline: TimelineEntry[] = [
    ...eventRows.map((e) => ({ at: e.createdAt.toISOString(), kind: "event" as const, title: e.type, detail: e.id })),
    ...attempts.map((a) => ({
      at: a.createdAt.toISOString(),
      kind: "psp" as const,
      title: `PSP ${a.kind}: ${a.status}`,
      detail: [a.pspReference, a.failureCode, a.failureMessage].filter(Boolean).join(" · ") || null,
    })),
    ...journals,
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    id: pi.id,
    amountMinor: pi.amount.toString(),
    amountCapturableMinor: pi.amountCapturable.toString(),
    amountReceivedMinor: pi.amountReceived.toString(),
    amountRefundedMinor: pi.amountRefunded.toString(),
    refundableMinor: (refundable > 0n ? refundable : 0n).toString(),
    currency: pi.currency,
    status: pi.status,
    statusGroup: statusGroupOf(pi.status),
    captureMethod: pi.captureMethod,
    description: pi.description,
    customer: pi.customer,
    email: pi.receiptEmail,
    metadata: pi.metadata,
    lastPaymentError: (pi.lastPaymentError?.message as string | undefined) ?? null,
    createdAt: pi.createdAt.toISOString(),
    card: charge ? { brand: charge.cardBrand, last4: charge.cardLast4, expMonth: charge.cardExpMonth, expYear: charge.cardExpYear, country: charge.cardCountry } : null,
    refunds: refundRows.map((r) => ({ id: r.id, amountMinor: r.amount.toString(), status: r.status, reason: r.reason, createdAt: r.createdAt.toISOString() })),
    timeline,
    actions: {
      capture: can(role, "payments.capture") && canTransition(pi.status, "capture"),
      cancel: can(role, "payments.cancel") && canTransition(pi.status, "cancel"),
      refund: can(role, "payments.refund") && refundable > 0n && canTransition(pi.status, "refund_partial"),
    },
  };
}
export type PaymentDetail = Awaited<ReturnType<typeof paymentDetail>>;

async function eventsFor(db: DbOrTx, merchantId: string, id: string) {
  const refundIds = db.select({ id: refunds.id }).from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.paymentIntentId, id)));
  return db
    .select({ id: events.id, type: events.type, createdAt: events.createdAt })
    .from(events)
    .where(and(eq(events.merchantId, merchantId), or(eq(events.objectId, id), inArray(events.objectId, refundIds))))
    .orderBy(asc(events.createdAt));
}

async function journalsFor(db: DbOrTx, merchantId: string, id: string): Promise<TimelineEntry[]> {
  const lines = await db
    .select({ journalId: ledgerJournals.id, kind: ledgerJournals.kind, memo: ledgerJournals.memo, postedAt: ledgerJournals.postedAt, account: ledgerAccounts.code, amount: ledgerLines.amount, currency: ledgerLines.currency })
    .from(ledgerJournals)
    .innerJoin(ledgerLines, eq(ledgerLines.journalId, ledgerJournals.id))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerLines.accountId))
    .where(and(eq(ledgerJournals.merchantId, merchantId), eq(ledgerJournals.paymentIntentId, id)))
    .orderBy(asc(ledgerJournals.id), asc(ledgerLines.id));
  const byJournal = new Map<bigint, TimelineEntry>();
  for (const l of lines) {
    let entry = byJournal.get(l.journalId);
    if (!entry) {
      entry = { at: l.postedAt.toISOString(), kind: "ledger", title: `Ledger journal: ${l.kind}`, detail: l.memo, lines: [] };
      byJournal.set(l.journalId, entry);
    }
    entry.lines!.push({ account: l.account, amountMinor: l.amount.toString(), currency: l.currency });
  }
  return [...byJournal.values()];
}

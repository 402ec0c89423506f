import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { pipelined } from "@/db/pipelined";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { balanceTransactions } from "@/db/schema";
import { refundJournal, type JournalDraft } from "../ledger";
import type { AttemptRow, PaymentIntentRow } from "../payments/repository";
import type { RefundRow } from "../refunds/repository";
import type { AuthorizeResult } from "../psp/types";
import { balanceTransactionIdFor, chargeIdFor } from "./ids";
import { addChargeRefund, insertBalanceTransaction, insertCharge, markChargeCaptured } from "./repository";

type BalanceTransactionInsert = PgInsertValue<typeof balanceTransactions> & { id: string };

/**
 * Charges and balance transactions are projections written in the transaction that applies a PSP
 * result, after that result's journals: a charge per authorization that reached the network, a
 * balance transaction per capture or refund journal. Called once per apply branch.
 */

/** A journal as the merchant's balance sees it: amount = what we owe the merchant (-merchant_payable), fee = psp_fees. */
export function balanceOfJournal(draft: JournalDraft): { amount: bigint; fee: bigint } {
  let amount = 0n;
  let fee = 0n;
  for (const l of draft.lines) {
    if (l.account === "merchant_payable") amount -= l.amount;
    else if (l.account === "psp_fees") fee += l.amount;
  }
  return { amount, fee };
}

/** Stripe makes card payments available two days after capture; debits (refunds) count at once. */
const CHARGE_AVAILABILITY = sql`now() + interval '2 days'`;

function balanceTransactionRow(
  pi: PaymentIntentRow,
  journal: JournalDraft,
  p: { type: "charge" | "refund"; sourceId: string; description: string | null },
): BalanceTransactionInsert {
  const { amount, fee } = balanceOfJournal(journal);
  return {
    id: balanceTransactionIdFor(pi.merchantId, journal.reference),
    merchantId: pi.merchantId,
    journalReference: journal.reference,
    type: p.type,
    reportingCategory: p.type,
    sourceId: p.sourceId,
    paymentIntentId: pi.id,
    amount,
    fee,
    net: amount - fee,
    currency: pi.currency,
    feeDetails: fee > 0n ? [{ amount: Number(fee), application: null, currency: pi.currency, description: "Processing fees", type: "stripe_fee" }] : [],
    description: p.description,
    availableOn: p.type === "charge" ? CHARGE_AVAILABILITY : sql`now()`,
  };
}

/**
 * After an authorization result: authorized and captured results create a succeeded charge (with
 * its capture's balance transaction), a decline a failed charge. Requires-action and non-card
 * failures reached no charge.
 */
export async function chargeAfterAuthorization(
  tx: DbOrTx,
  pi: PaymentIntentRow,
  attempt: AttemptRow,
  result: Exclude<AuthorizeResult, { outcome: "unknown" }>,
  captureJournal?: JournalDraft,
): Promise<void> {
  if (result.outcome !== "authorized" && result.outcome !== "captured" && result.outcome !== "declined") return;
  const id = chargeIdFor(pi.merchantId, attempt.id);
  const card = result.card ?? null;
  const declined = result.outcome === "declined" ? result : null;
  const txn = result.outcome === "captured" && captureJournal ? balanceTransactionRow(pi, captureJournal, { type: "charge", sourceId: id, description: pi.description }) : null;
  await pipelined([
    insertCharge(tx, {
      id,
      merchantId: pi.merchantId,
      paymentIntentId: pi.id,
      attemptId: attempt.id,
      status: declined ? "failed" : "succeeded",
      amount: attempt.amount,
      // What we booked (the compare step may cap what the PSP reported), never the raw PSP figure.
      amountCaptured: result.outcome === "captured" ? pi.amountReceived : 0n,
      currency: attempt.currency,
      captured: result.outcome === "captured",
      paymentMethod: attempt.paymentMethod,
      cardBrand: card?.brand ?? null,
      cardLast4: card?.last4 ?? null,
      cardFunding: card?.funding ?? null,
      cardExpMonth: card?.expMonth ?? null,
      cardExpYear: card?.expYear ?? null,
      cardCountry: card?.country ?? null,
      failureCode: declined?.code ?? null,
      failureMessage: declined?.message ?? null,
      declineCode: declined?.declineCode ?? null,
      balanceTransactionId: txn?.id ?? null,
      description: pi.description,
      metadata: pi.metadata,
      receiptEmail: pi.receiptEmail,
      statementDescriptor: pi.statementDescriptor,
      statementDescriptorSuffix: pi.statementDescriptorSuffix,
      customer: pi.customer,
      pspChargeId: declined ? (declined.pspChargeId ?? null) : (result as { pspChargeId: string | null }).pspChargeId,
    }),
    txn ? insertBalanceTransaction(tx, txn) : undefined,
  ]);
}

/** After a capture of an authorized charge: the charge is captured and the capture journal becomes a balance transaction. */
export async function chargeAfterCapture(tx: DbOrTx, pi: PaymentIntentRow, captureJournal: JournalDraft, amountCaptured: bigint): Promise<void> {
  const chargeId = pi.latestChargeId;
  if (!chargeId) return; // intents authorized before charges existed
  const txn = balanceTransactionRow(pi, captureJournal, { type: "charge", sourceId: chargeId, description: pi.description });
  await pipelined([
    markChargeCaptured(tx, chargeId, { amountCaptured, balanceTransactionId: txn.id }),
    insertBalanceTransaction(tx, txn),
  ]);
}

/** After a refund succeeded: the charge's refunded amount grows and the refund journal becomes a (negative) balance transaction. */
export async function chargeAfterRefund(tx: DbOrTx, pi: PaymentIntentRow, refund: RefundRow, refundJournal: JournalDraft): Promise<void> {
  const chargeId = refund.chargeId ?? pi.latestChargeId;
  const txn = balanceTransactionRow(pi, refundJournal, {
    type: "refund",
    sourceId: refund.id,
    description: `REFUND FOR CHARGE (${pi.description ?? "Payment"})`,
  });
  await pipelined([chargeId ? addChargeRefund(tx, chargeId, refund.amount) : undefined, insertBalanceTransaction(tx, txn)]);
}

/** The balance transaction of a succeeded refund, derived from its journal's reference. */
export const refundBalanceTransactionId = (r: RefundRow) =>
  r.status === "succeeded" ? balanceTransactionIdFor(r.merchantId, refundJournal({ refundId: r.id, amount: r.amount }).reference) : null;

import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { DisputeStatus, PaymentStatus } from "@/db/schema/statuses";
import { balanceTransactionIdFor } from "../charges/ids";
import { insertBalanceTransaction } from "../charges/repository";
import { derivedId } from "../ids";
import { disputeJournal, disputeReversalJournal, postJournal, type JournalDraft } from "../ledger";
import { lockPaymentIntent, updatePaymentIntent, type PaymentIntentRow } from "../payments/repository";
import { disputeWonEvent, transition } from "../payments/state-machine";
import type { PspDisputeFunds, PspDisputeSnapshot } from "../psp/types";
import {
  disputeBalanceTransactions,
  findDisputeByPsp,
  insertDispute,
  markChargeDisputed,
  recordDisputeEvents,
  updateDisputeRow,
  type DisputeRow,
} from "./repository";
import { serializeDispute } from "./serialize";

/**
 * The dispute names a payment whose creation or capture is not committed yet (its API response is
 * still in flight): the inbox retries the event. (Like inbox/handlers.ts ObjectNotYetKnown, which
 * this module cannot import without a cycle: handlers.ts lists the dispute handlers.)
 */
export class DisputedPaymentNotYetKnown extends Error {}

export type OwnedSnapshot = PspDisputeSnapshot & { payrail: NonNullable<PspDisputeSnapshot["payrail"]> };

/** Statuses a payment holds once its capture is applied; a dispute can only name such a payment. */
const SETTLED: readonly PaymentStatus[] = ["captured", "partially_refunded", "refunded", "disputed"];
const CLOSED: readonly DisputeStatus[] = ["won", "lost", "warning_closed", "prevented"];

export const disputeIdFor = (merchantId: string, pspDisputeId: string) => derivedId("dp", merchantId, `dispute:${pspDisputeId}`);

/**
 * Applies the PSP's current view of a dispute, whatever event made us look: creates the record,
 * moves the payment through the state machine, posts the withdrawal and reinstatement journals
 * (each once: unique references, and the funds timestamps under the payment's row lock) with their
 * balance transactions, and records the merchant events in order. Applying the same view twice
 * changes nothing and records nothing.
 */
export async function applyDisputeSnapshot(tx: DbOrTx, snap: OwnedSnapshot): Promise<DisputeRow> {
  const { merchantId, paymentIntentId } = snap.payrail;
  const pi = await lockPaymentIntent(tx, merchantId, paymentIntentId);
  if (!pi) throw new DisputedPaymentNotYetKnown(`payment intent ${paymentIntentId} is not committed yet`);
  if (!SETTLED.includes(pi.status)) throw new DisputedPaymentNotYetKnown(`the capture of ${paymentIntentId} is not applied yet (status ${pi.status})`);

  const events: string[] = [];
  let payment = pi;
  let row = await findDisputeByPsp(tx, merchantId, snap.pspDisputeId);
  if (!row) {
    // A payment refunded in full stays refunded: the dispute is recorded and booked, its status untouched.
    if (pi.status === "captured" || pi.status === "partially_refunded") {
      payment = await updatePaymentIntent(tx, pi, { status: transition(pi.status, "dispute_opened", pi.id) });
    }
    row = await insertDispute(tx, {
      id: disputeIdFor(merchantId, snap.pspDisputeId),
      merchantId,
      paymentIntentId: pi.id,
      chargeId: pi.latestChargeId,
      pspDisputeId: snap.pspDisputeId,
      amount: snap.amount,
      currency: snap.currency,
      reason: snap.reason,
      status: snap.status,
      pspCreatedAt: snap.created,
    });
    if (pi.latestChargeId) await markChargeDisputed(tx, pi.latestChargeId);
    events.push("charge.dispute.created");
  }

  const changes: Partial<DisputeRow> = {};
  if (snap.withdrawn && !row.fundsWithdrawnAt) {
    await book(tx, payment, row, snap.withdrawn, "withdrawn");
    changes.fundsWithdrawnAt = new Date();
    events.push("charge.dispute.funds_withdrawn");
  }
  const closing = CLOSED.includes(snap.status) && !row.closedAt;
  // Closing is told by charge.dispute.closed, not also as an update.
  if (!closing && !events.includes("charge.dispute.created") && fieldsChanged(row, snap)) events.push("charge.dispute.updated");
  if (snap.reinstated && !row.fundsReinstatedAt) {
    await book(tx, payment, row, snap.reinstated, "reinstated");
    changes.fundsReinstatedAt = new Date();
    events.push("charge.dispute.funds_reinstated");
  }
  if (closing) {
    changes.closedAt = new Date();
    if (payment.status === "disputed") {
      const event = snap.status === "lost" ? "dispute_lost" : disputeWonEvent(payment.amountRefunded);
      payment = await updatePaymentIntent(tx, payment, { status: transition(payment.status, event, payment.id) });
    }
    events.push("charge.dispute.closed");
  }
  if (events.length === 0) return row;

  const saved = await updateDisputeRow(tx, row.id, {
    ...changes,
    amount: snap.amount,
    reason: snap.reason,
    status: snap.status,
    evidence: snap.evidence,
    evidenceDueBy: snap.evidenceDueBy,
    hasEvidence: snap.hasEvidence,
    pastDue: snap.pastDue,
    submissionCount: snap.submissionCount,
    isChargeRefundable: snap.isChargeRefundable,
    networkReasonCode: snap.networkReasonCode,
    metadata: snap.metadata,
  });
  const object = serializeDispute(saved, await disputeBalanceTransactions(tx, merchantId, [saved.id]));
  await recordDisputeEvents(tx, merchantId, saved.id, events, object);
  return saved;
}

/** What the merchant sees change on the dispute object (money and closing have their own events). */
function fieldsChanged(row: DisputeRow, snap: PspDisputeSnapshot): boolean {
  return (
    row.status !== snap.status ||
    row.submissionCount !== snap.submissionCount ||
    row.hasEvidence !== snap.hasEvidence ||
    JSON.stringify(sorted(row.evidence)) !== JSON.stringify(sorted(snap.evidence)) ||
    JSON.stringify(sorted(row.metadata)) !== JSON.stringify(sorted(snap.metadata))
  );
}

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** Posts the journal of a funds movement and its balance transaction (Stripe's dispute adjustment). */
async function book(tx: DbOrTx, pi: PaymentIntentRow, dispute: DisputeRow, funds: PspDisputeFunds, kind: "withdrawn" | "reinstated"): Promise<void> {
  const p = { disputeId: dispute.id, amount: funds.amount, fee: funds.fee };
  const journal: JournalDraft = kind === "withdrawn" ? disputeJournal(p) : disputeReversalJournal(p);
  const sign = kind === "withdrawn" ? -1n : 1n;
  const amount = sign * funds.amount;
  const fee = -sign * funds.fee;
  // In order: the balance transaction references its journal.
  await postJournal(tx, { merchantId: pi.merchantId, currency: pi.currency, paymentIntentId: pi.id, memo: `${kind} by ${dispute.pspDisputeId}`, ...journal });
  await insertBalanceTransaction(tx, {
      id: balanceTransactionIdFor(pi.merchantId, journal.reference),
      merchantId: pi.merchantId,
      journalReference: journal.reference,
      type: "adjustment",
      reportingCategory: kind === "withdrawn" ? "dispute" : "dispute_reversal",
      sourceId: dispute.id,
      paymentIntentId: pi.id,
      amount,
      fee,
      net: amount - fee,
      currency: pi.currency,
      feeDetails: fee === 0n ? [] : [{ amount: Number(fee), application: null, currency: pi.currency, description: "Dispute fee", type: "stripe_fee" }],
      description: kind === "withdrawn" ? `Chargeback withdrawal for ${dispute.chargeId ?? pi.id}` : `Chargeback reversal for ${dispute.chargeId ?? pi.id}`,
    availableOn: sql`now()`,
  });
}

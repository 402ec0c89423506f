import type Stripe from "stripe";
import type { PspDisputeFunds, PspDisputeSnapshot, PspDisputeStatus } from "../types";

/** Exhaustive mapping of Stripe's dispute statuses; an unknown one counts as still under review, never as decided. */
export function mapDisputeStatus(status: string): PspDisputeStatus {
  switch (status) {
    case "warning_needs_response":
    case "warning_under_review":
    case "warning_closed":
    case "needs_response":
    case "under_review":
    case "won":
    case "lost":
    case "prevented":
      return status;
    case "appeal_needs_response":
      return "needs_response";
    default: // appeal_under_review and anything new: still pending
      return "under_review";
  }
}

/** Text evidence only (file fields are file ids); nulls and the enhanced_evidence object are left out. */
function evidenceOf(e: Stripe.Dispute.Evidence | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(e ?? {})) {
    if (typeof v === "string" && v !== "") out[k] = v;
    else if (v && typeof v === "object" && "id" in v && typeof v.id === "string") out[k] = v.id;
  }
  return out;
}

function payrailIdsOf(pi: Stripe.Dispute["payment_intent"]): PspDisputeSnapshot["payrail"] {
  const md = pi && typeof pi === "object" ? pi.metadata : undefined;
  const merchantId = md?.payrail_merchant;
  const paymentIntentId = md?.payrail_payment_intent;
  return merchantId && paymentIntentId ? { merchantId, paymentIntentId } : null;
}

/** The withdrawal is the dispute's negative balance transaction, the reinstatement its positive one. */
function funds(d: Stripe.Dispute, sign: 1 | -1): PspDisputeFunds | null {
  const t = d.balance_transactions.find((b) => Math.sign(b.amount) === sign);
  return t ? { pspBalanceTransactionId: t.id, amount: BigInt(Math.abs(t.amount)), fee: BigInt(Math.abs(t.fee)) } : null;
}

export function disputeSnapshotOf(d: Stripe.Dispute): PspDisputeSnapshot {
  const pi = d.payment_intent;
  return {
    pspDisputeId: d.id,
    pspChargeId: typeof d.charge === "string" ? d.charge : d.charge.id,
    pspPaymentIntentId: pi === null ? null : typeof pi === "string" ? pi : pi.id,
    payrail: payrailIdsOf(pi),
    amount: BigInt(d.amount),
    currency: d.currency,
    reason: d.reason,
    status: mapDisputeStatus(d.status),
    evidence: evidenceOf(d.evidence),
    evidenceDueBy: d.evidence_details?.due_by ? new Date(d.evidence_details.due_by * 1000) : null,
    hasEvidence: d.evidence_details?.has_evidence ?? false,
    pastDue: d.evidence_details?.past_due ?? false,
    submissionCount: d.evidence_details?.submission_count ?? 0,
    isChargeRefundable: d.is_charge_refundable,
    networkReasonCode: d.network_reason_code ?? null,
    metadata: { ...d.metadata },
    created: new Date(d.created * 1000),
    withdrawn: funds(d, -1),
    reinstated: funds(d, 1),
  };
}

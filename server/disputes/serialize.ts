import { serializeBalanceTransaction } from "../charges/serialize";
import type { BalanceTransactionRow } from "../charges/repository";
import { EVIDENCE_FIELDS } from "./evidence";
import type { DisputeRow } from "./repository";

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** Stripe's Dispute, with our charge and payment intent ids and every evidence field (null when not given). */
export function serializeDispute(d: DisputeRow, txns: readonly BalanceTransactionRow[]) {
  const evidence: Record<string, unknown> = {};
  for (const f of EVIDENCE_FIELDS) evidence[f] = d.evidence[f] ?? null;
  evidence.enhanced_evidence = {};
  return {
    id: d.id,
    object: "dispute" as const,
    amount: Number(d.amount),
    balance_transactions: txns.filter((t) => t.sourceId === d.id).map((t) => serializeBalanceTransaction(t)),
    charge: d.chargeId,
    created: unix(d.pspCreatedAt),
    currency: d.currency,
    enhanced_eligibility_types: [],
    evidence,
    evidence_details: {
      due_by: d.evidenceDueBy ? unix(d.evidenceDueBy) : null,
      enhanced_eligibility: {},
      has_evidence: d.hasEvidence,
      past_due: d.pastDue,
      submission_count: d.submissionCount,
      submission_method: d.submissionCount > 0 ? ("api" as const) : null,
    },
    intended_submission_method: null,
    is_charge_refundable: d.isChargeRefundable,
    livemode: false,
    metadata: d.metadata,
    network_reason_code: d.networkReasonCode,
    payment_intent: d.paymentIntentId,
    payment_method_details: { card: { brand: null, case_type: "chargeback" as const, network_reason_code: d.networkReasonCode }, type: "card" as const },
    reason: d.reason,
    status: d.status,
  };
}
export type DisputeResource = ReturnType<typeof serializeDispute>;

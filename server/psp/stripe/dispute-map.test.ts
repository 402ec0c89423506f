import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { disputeSnapshotOf, mapDisputeStatus } from "./dispute-map";

describe("Stripe dispute mapping", () => {
  it("keeps Stripe's statuses and treats unknown ones as still under review, never as decided", () => {
    for (const s of ["needs_response", "under_review", "won", "lost", "warning_needs_response", "warning_closed", "prevented"]) expect(mapDisputeStatus(s)).toBe(s);
    expect(mapDisputeStatus("appeal_needs_response")).toBe("needs_response");
    expect(mapDisputeStatus("appeal_under_review")).toBe("under_review");
    expect(mapDisputeStatus("something_new")).toBe("under_review");
  });

  it("reads our ids from the expanded payment intent and the withdrawal and reinstatement from the balance transactions", () => {
    const snap = disputeSnapshotOf({
      id: "dp_1",
      object: "dispute",
      amount: 700,
      currency: "usd",
      charge: "ch_1",
      created: 1_800_000_000,
      reason: "fraudulent",
      status: "won",
      is_charge_refundable: false,
      metadata: {},
      evidence: { uncategorized_text: "signed", receipt: null, enhanced_evidence: {} },
      evidence_details: { due_by: 1_800_604_800, has_evidence: true, past_due: false, submission_count: 1 },
      payment_intent: { id: "pi_psp", metadata: { payrail_merchant: "acct_1", payrail_payment_intent: "pi_ours" } },
      balance_transactions: [
        { id: "txn_w", amount: -700, fee: 1500 },
        { id: "txn_r", amount: 700, fee: -1500 },
      ],
    } as unknown as Stripe.Dispute);
    expect(snap).toMatchObject({
      pspDisputeId: "dp_1",
      pspChargeId: "ch_1",
      pspPaymentIntentId: "pi_psp",
      payrail: { merchantId: "acct_1", paymentIntentId: "pi_ours" },
      amount: 700n,
      status: "won",
      evidence: { uncategorized_text: "signed" },
      withdrawn: { pspBalanceTransactionId: "txn_w", amount: 700n, fee: 1500n },
      reinstated: { pspBalanceTransactionId: "txn_r", amount: 700n, fee: 1500n },
    });
    expect(snap.evidenceDueBy?.toISOString()).toBe(new Date(1_800_604_800_000).toISOString());
  });
});

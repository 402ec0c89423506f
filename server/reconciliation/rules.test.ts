import { describe, expect, it } from "vitest";
import { assertBalanced } from "../ledger";
import type { PspBalanceLine } from "../psp/types";
import { decideBatch, decideLine, feeAdjustmentJournal, type OurCharge, type OurRefund, type Ours } from "./rules";

const line = (p: Partial<PspBalanceLine> = {}): PspBalanceLine => ({
  id: "txn_1",
  type: "charge",
  source: "ch_psp1",
  amount: 1000n,
  fee: 59n,
  net: 941n,
  currency: "usd",
  created: new Date("2026-01-01T10:00:00Z"),
  sourceStatus: "succeeded",
  sourceMetadata: {},
  ...p,
});

const charge = (p: Partial<OurCharge> = {}): OurCharge => ({
  id: "ch_ours1",
  merchantId: "acct_1",
  paymentIntentId: "pi_1",
  status: "succeeded",
  currency: "usd",
  bt: { id: "txn_ours1", amount: 1000n, fee: 59n, currency: "usd", pspBalanceTransactionId: null },
  hasPendingAttempt: false,
  ...p,
});

const refund = (p: Partial<OurRefund> = {}): OurRefund => ({
  id: "re_ours1",
  merchantId: "acct_1",
  paymentIntentId: "pi_1",
  status: "succeeded",
  amount: 300n,
  currency: "usd",
  bt: { id: "txn_ours_r1", amount: -300n, fee: 0n, currency: "usd", pspBalanceTransactionId: null },
  hasPendingAttempt: false,
  ...p,
});

const ours = (p: { charges?: OurCharge[]; refunds?: OurRefund[]; recoverable?: [string, string][]; merchants?: string[] } = {}): Ours => ({
  chargesByPspId: new Map((p.charges ?? []).map((c) => ["ch_psp1", c])),
  refundsByPspId: new Map((p.refunds ?? []).map((r) => ["re_psp1", r])),
  refundsById: new Map((p.refunds ?? []).map((r) => [r.id, r])),
  recoverableIntents: new Map(p.recoverable ?? []),
  merchants: new Set(p.merchants ?? []),
});

const first = { allowRecover: true };
const second = { allowRecover: false };

describe("reconciliation matching rules", () => {
  it("a line that agrees on amount, fee and currency matches our capture", () => {
    expect(decideLine(line(), ours({ charges: [charge()] }), first)).toMatchObject({ kind: "matched", bt: { id: "txn_ours1" } });
  });

  it("a line already settled by itself matches again with nothing to mark (rerun)", () => {
    const settled = charge({ bt: { id: "txn_ours1", amount: 1000n, fee: 59n, currency: "usd", pspBalanceTransactionId: "txn_1" } });
    expect(decideLine(line(), ours({ charges: [settled] }), first)).toEqual({ kind: "matched", merchantId: "acct_1", paymentIntentId: "pi_1", bt: null });
  });

  it("a second line for a row another line settled is a duplicate, within a batch and across batches", () => {
    const settledByOther = charge({ bt: { id: "txn_ours1", amount: 1000n, fee: 59n, currency: "usd", pspBalanceTransactionId: "txn_0" } });
    expect(decideLine(line(), ours({ charges: [settledByOther] }), first)).toMatchObject({ kind: "exception", exceptionKind: "duplicate" });
    const batch = decideBatch([line({ id: "txn_a" }), line({ id: "txn_b" })], ours({ charges: [charge()] }), first);
    expect(batch.map((d) => (d.kind === "exception" ? d.exceptionKind : d.kind))).toEqual(["matched", "duplicate"]);
  });

  it("amount and currency differences go to finance with both sides", () => {
    const amount = decideLine(line({ amount: 1100n }), ours({ charges: [charge()] }), first);
    expect(amount).toMatchObject({ kind: "exception", exceptionKind: "amount_mismatch", ours: { amount: "1000" }, theirs: { amount: "1100" } });
    expect(decideLine(line({ currency: "eur" }), ours({ charges: [charge()] }), first)).toMatchObject({ exceptionKind: "currency_mismatch" });
  });

  it("a fee difference alone is repaired", () => {
    expect(decideLine(line({ fee: 70n }), ours({ charges: [charge()] }), first)).toMatchObject({ kind: "fee_repair", ourFee: 59n, theirFee: 70n });
  });

  it("a capture we never applied is recovered first, and is a status mismatch if it is still unapplied", () => {
    const uncaptured = charge({ bt: null, hasPendingAttempt: true });
    expect(decideLine(line(), ours({ charges: [uncaptured] }), first)).toEqual({ kind: "recover", merchantId: "acct_1", paymentIntentId: "pi_1" });
    expect(decideLine(line(), ours({ charges: [uncaptured] }), second)).toMatchObject({ exceptionKind: "status_mismatch" });
    expect(decideLine(line(), ours({ charges: [charge({ status: "failed", bt: null })] }), first)).toMatchObject({ exceptionKind: "status_mismatch" });
  });

  it("an unknown charge is recovered when its metadata names our intent in flight, else missing on our side, else unattributed", () => {
    const meta = { payrail_payment_intent: "pi_9", payrail_merchant: "acct_1" };
    expect(decideLine(line({ sourceMetadata: meta }), ours({ recoverable: [["pi_9", "acct_1"]], merchants: ["acct_1"] }), first)).toMatchObject({ kind: "recover", paymentIntentId: "pi_9" });
    expect(decideLine(line({ sourceMetadata: meta }), ours({ merchants: ["acct_1"] }), first)).toMatchObject({ kind: "exception", exceptionKind: "missing_on_our_side", merchantId: "acct_1" });
    expect(decideLine(line(), ours(), first)).toMatchObject({ kind: "unattributed" });
  });

  it("refunds: matched by PSP refund id; a failure the PSP reports against a succeeded refund is a status mismatch", () => {
    const r = line({ id: "txn_r", type: "refund", source: "re_psp1", amount: -300n, fee: 0n, net: -300n });
    expect(decideLine(r, ours({ refunds: [refund()] }), first)).toMatchObject({ kind: "matched", bt: { id: "txn_ours_r1" } });
    const failure = line({ id: "txn_rf", type: "refund_failure", source: "re_psp1", amount: 300n, fee: 0n, net: 300n });
    expect(decideLine(failure, ours({ refunds: [refund()] }), first)).toMatchObject({ exceptionKind: "status_mismatch", refundId: "re_ours1" });
    expect(decideLine(failure, ours({ refunds: [refund({ status: "failed", bt: null })] }), first)).toMatchObject({ kind: "matched", bt: null });
    const stillPending = line({ id: "txn_r", type: "refund", source: "re_psp1", amount: -300n, fee: 0n, sourceStatus: "pending" });
    expect(decideLine(stillPending, ours({ refunds: [refund({ status: "pending", bt: null, hasPendingAttempt: true })] }), first)).toMatchObject({ kind: "skipped" });
  });

  it("dispute adjustments are skipped, and a merchant scope leaves other merchants' lines alone", () => {
    expect(decideLine(line({ type: "adjustment", source: "dp_1" }), ours(), first)).toMatchObject({ kind: "skipped" });
    expect(decideBatch([line()], ours({ charges: [charge()] }), { allowRecover: true, merchantId: "acct_2" })).toEqual([{ kind: "out_of_scope" }]);
  });

  it("the fee adjustment journal balances and moves only fees against the receivable", () => {
    const j = feeAdjustmentJournal({ lineId: "txn_1", ourFee: 59n, theirFee: 70n });
    expect(j.reference).toBe("recon_fee:txn_1");
    expect(j.lines).toEqual([{ account: "psp_fees", amount: 11n }, { account: "psp_receivable", amount: -11n }]);
    expect(() => assertBalanced(j.lines)).not.toThrow();
    expect(feeAdjustmentJournal({ lineId: "t", ourFee: 70n, theirFee: 59n }).lines[0]).toEqual({ account: "psp_fees", amount: -11n });
  });
});

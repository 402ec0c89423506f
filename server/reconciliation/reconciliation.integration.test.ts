import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balanceTransactions, financeExceptions, ledgerJournals, reconciliationRepairs, reconciliationRuns } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { accountBalances, trialBalance } from "@/server/ledger";
import { createRefund } from "@/server/refunds/service";
import { capturePaymentIntent, confirmPaymentIntent, createPaymentIntent } from "@/server/payments/orchestrator";
import { findPaymentIntent } from "@/server/payments/repository";
import { createHarness, type Harness } from "@/tests/harness";
import { rejectionOf } from "@/tests/rejection";
import { runReconciliation } from "./run";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Today and tomorrow (UTC), so a test running at midnight still covers its own lines. */
const period = (merchantId: string) => ({ from: day(-1), to: day(2), merchantId });

async function report(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.sim.url}/_sim/reconciliation`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiKey: h.pspKey, ...body }),
  });
  if (!res.ok) throw new Error(`simulator refused ${JSON.stringify(body)}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function pay(merchantId: string, amount: number, currency = "usd") {
  const pi = await createPaymentIntent(h.ctx(), merchantId, { amount, currency, payment_method: "pm_card_visa", confirm: true });
  expect(pi.status).toBe("captured");
  return pi;
}

const journalCount = async (merchantId: string) =>
  (await h.database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerJournals).where(eq(ledgerJournals.merchantId, merchantId)))[0]!.n;

const exceptionsOf = (merchantId: string) =>
  h.database.db.select().from(financeExceptions).where(and(eq(financeExceptions.merchantId, merchantId), eq(financeExceptions.source, "reconciliation")));

const balancedFor = async (merchantId: string) => (await trialBalance(h.database.db, { merchantId })).balanced;

describe("reconciliation against PostgreSQL and the PSP simulator", () => {
  it("a clean day: every capture and refund matches, is settled, and nothing becomes an exception; a rerun changes nothing", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const a = await pay(merchantId, 2_000);
    await pay(merchantId, 3_500, "eur");
    const b = await pay(merchantId, 1_000);
    const manual = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", capture_method: "manual" });
    await confirmPaymentIntent(ctx, merchantId, manual.id, { payment_method: "pm_card_visa" });
    await capturePaymentIntent(ctx, merchantId, manual.id, { amount_to_capture: 4_000 });
    await createRefund(ctx, merchantId, { payment_intent: a.id, amount: 500 });
    await createRefund(ctx, merchantId, { payment_intent: b.id });

    const first = await runReconciliation(ctx, period(merchantId));
    expect(first).toMatchObject({ matched: 6, repaired: 0, exceptions: 0 });
    const ours = await h.database.db.select().from(balanceTransactions).where(eq(balanceTransactions.merchantId, merchantId));
    expect(ours).toHaveLength(6);
    for (const bt of ours) {
      expect(bt.settledAt).toBeInstanceOf(Date);
      expect(bt.pspBalanceTransactionId).toMatch(/^txn_/);
    }
    const [run] = await h.database.db.select().from(reconciliationRuns).where(eq(reconciliationRuns.id, first.runId));
    expect(run).toMatchObject({ status: "succeeded", matched: 6, repaired: 0, exceptions: 0, merchantId });
    expect(run!.finishedAt).toBeInstanceOf(Date);

    const journals = await journalCount(merchantId);
    const again = await runReconciliation(ctx, period(merchantId));
    expect(again).toMatchObject({ matched: 6, repaired: 0, exceptions: 0 });
    expect(again.runId).not.toBe(first.runId);
    expect(await journalCount(merchantId)).toBe(journals);
    expect(await exceptionsOf(merchantId)).toEqual([]);
    expect(await balancedFor(merchantId)).toBe(true);
  });

  it("finds each mismatch class the simulator produces, repairs a fee difference with a balanced journal, and a rerun repeats nothing", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const amountChanged = await pay(merchantId, 1_000);
    const feeChanged = await pay(merchantId, 2_000); // fee 2.9% + 30 = 88
    const currencyChanged = await pay(merchantId, 3_000);
    const dropped = await pay(merchantId, 4_000);
    const duplicated = await pay(merchantId, 5_000);
    const refundedLater = await pay(merchantId, 6_000);
    await pay(merchantId, 7_000);
    const refund = await createRefund(ctx, merchantId, { payment_intent: refundedLater.id, amount: 1_000 });
    const feesBefore = (await accountBalances(h.database.db, merchantId, "usd")).find((x) => x.code === "psp_fees")!.balance;

    await report({ kind: "amount", source: amountChanged.pspChargeId, amount: 1_100 });
    await report({ kind: "fee", source: feeChanged.pspChargeId, fee: 100 });
    await report({ kind: "currency", source: currencyChanged.pspChargeId, currency: "eur" });
    await report({ kind: "drop", source: dropped.pspChargeId });
    await report({ kind: "duplicate", source: duplicated.pspChargeId });
    await report({ kind: "unknown_charge", amount: 999, merchant: merchantId });
    await report({ kind: "refund_failure", source: refund.pspRefundId });

    const first = await runReconciliation(ctx, period(merchantId));
    // matched: duplicated (its first line), refundedLater's charge, its refund, the 7,000 payment
    expect(first).toMatchObject({ matched: 4, repaired: 1, exceptions: 6 });
    const found = await exceptionsOf(merchantId);
    expect(found.map((e) => e.kind).sort()).toEqual(
      ["amount_mismatch", "currency_mismatch", "duplicate", "missing_at_psp", "missing_on_our_side", "status_mismatch"].sort(),
    );
    const byKind = Object.fromEntries(found.map((e) => [e.kind, e]));
    expect(byKind.amount_mismatch).toMatchObject({ paymentIntentId: amountChanged.id, ours: { amount: "1000" }, theirs: { amount: "1100", source: amountChanged.pspChargeId } });
    expect(byKind.currency_mismatch).toMatchObject({ paymentIntentId: currencyChanged.id, ours: { currency: "usd" }, theirs: { currency: "eur" } });
    expect(byKind.missing_at_psp).toMatchObject({ paymentIntentId: dropped.id, ours: { amount: "4000", type: "charge" }, theirs: { balance_transaction: null } });
    expect(byKind.duplicate).toMatchObject({ paymentIntentId: duplicated.id, theirs: { source: duplicated.pspChargeId, amount: "5000" } });
    expect(byKind.missing_on_our_side).toMatchObject({ ours: { charge: null }, theirs: { amount: "999", type: "charge" } });
    expect(byKind.status_mismatch).toMatchObject({ refundId: refund.id, ours: { status: "succeeded" }, theirs: { type: "refund_failure" } });

    // The fee repair: an audited journal moving the 12 difference into fees, and the line settled.
    const [repair] = await h.database.db.select().from(reconciliationRepairs).where(eq(reconciliationRepairs.merchantId, merchantId));
    expect(repair).toMatchObject({ kind: "fee_adjustment", paymentIntentId: feeChanged.id, ours: { fee: "88" }, theirs: { fee: "100" } });
    expect(repair!.journalReference).toMatch(/^recon_fee:txn_/);
    const feesAfter = (await accountBalances(h.database.db, merchantId, "usd")).find((x) => x.code === "psp_fees")!.balance;
    expect(feesAfter - feesBefore).toBe(12n);
    const [feeBt] = await h.database.db.select().from(balanceTransactions).where(eq(balanceTransactions.paymentIntentId, feeChanged.id));
    expect(feeBt!.settledAt).toBeInstanceOf(Date);
    const [amountBt] = await h.database.db.select().from(balanceTransactions).where(eq(balanceTransactions.paymentIntentId, amountChanged.id));
    expect(amountBt!.settledAt).toBeNull();
    expect(await balancedFor(merchantId)).toBe(true);

    const journals = await journalCount(merchantId);
    const again = await runReconciliation(ctx, period(merchantId));
    expect(again).toMatchObject({ matched: 5, repaired: 0, exceptions: 6 });
    expect(await journalCount(merchantId)).toBe(journals);
    expect(await exceptionsOf(merchantId)).toHaveLength(6);
    expect(await h.database.db.select().from(reconciliationRepairs).where(eq(reconciliationRepairs.merchantId, merchantId))).toHaveLength(1);
    expect((await accountBalances(h.database.db, merchantId, "usd")).find((x) => x.code === "psp_fees")!.balance).toBe(feesAfter);
    expect(await balancedFor(merchantId)).toBe(true);
  });

  it("applies captures the PSP reports whose results we never applied (lost capture answer, crash before recording a charge)", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const manual = await createPaymentIntent(ctx, merchantId, { amount: 3_000, currency: "usd", capture_method: "manual" });
    await confirmPaymentIntent(ctx, merchantId, manual.id, { payment_method: "pm_card_visa" });
    const impatient = h.ctx({ maxNetworkRetries: 0, timeoutMs: 400 });
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/capture", hangMs: 1_500 } });
    expect((await rejectionOf(capturePaymentIntent(impatient, merchantId, manual.id, {}), DomainError)).code).toBe("psp_unavailable");
    expect((await findPaymentIntent(h.database.db, merchantId, manual.id))!.status).toBe("capturing");

    const lost = await createPaymentIntent(ctx, merchantId, { amount: 1_500, currency: "usd" });
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    expect((await rejectionOf(confirmPaymentIntent(impatient, merchantId, lost.id, { payment_method: "pm_card_visa" }), DomainError)).code).toBe("psp_unavailable");
    expect((await findPaymentIntent(h.database.db, merchantId, lost.id))!.status).toBe("authorizing");
    await h.clearFaults();

    const first = await runReconciliation(ctx, period(merchantId));
    expect(first).toMatchObject({ matched: 0, repaired: 2, exceptions: 0 });
    expect((await findPaymentIntent(h.database.db, merchantId, manual.id))!).toMatchObject({ status: "captured", amountReceived: 3_000n });
    expect((await findPaymentIntent(h.database.db, merchantId, lost.id))!).toMatchObject({ status: "captured", amountReceived: 1_500n });
    const repairs = await h.database.db.select().from(reconciliationRepairs).where(eq(reconciliationRepairs.merchantId, merchantId));
    expect(repairs.map((r) => [r.kind, r.paymentIntentId]).sort()).toEqual([["missed_apply", lost.id], ["missed_apply", manual.id]].sort());
    const bts = await h.database.db.select().from(balanceTransactions).where(eq(balanceTransactions.merchantId, merchantId));
    expect(bts).toHaveLength(2);
    expect(bts.every((b) => b.settledAt !== null)).toBe(true);
    expect(await balancedFor(merchantId)).toBe(true);
    expect((await h.stats()).duplicateChargeCount).toBe(0);

    const journals = await journalCount(merchantId);
    expect(await runReconciliation(ctx, period(merchantId))).toMatchObject({ matched: 2, repaired: 0, exceptions: 0 });
    expect(await journalCount(merchantId)).toBe(journals);
  });

  it("refuses a malformed or empty period and records nothing", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    expect((await rejectionOf(runReconciliation(ctx, { from: "2026-13-01", to: "2026-13-02", merchantId }), DomainError)).code).toBe("parameter_invalid");
    expect((await rejectionOf(runReconciliation(ctx, { from: day(1), to: day(1), merchantId }), DomainError)).code).toBe("parameter_invalid");
    expect(await h.database.db.select().from(reconciliationRuns).where(eq(reconciliationRuns.merchantId, merchantId))).toEqual([]);
  });
});

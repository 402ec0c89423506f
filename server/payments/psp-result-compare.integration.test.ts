import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { financeExceptions, paymentAttempts, refunds } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import type { AuthorizeResult, RefundResult } from "@/server/psp/types";
import { createHarness, type Harness } from "@/tests/harness";
import { rejectionOf } from "@/tests/rejection";
import { applyRefundResult, createRefund } from "../refunds/service";
import { applyAuthorizeResult } from "./apply";
import { capturePaymentIntent, confirmPaymentIntent, createPaymentIntent } from "./orchestrator";
import { findPaymentIntent } from "./repository";

let h: Harness;
let psp: Stripe;
beforeAll(async () => {
  h = await createHarness();
  psp = new Stripe(h.pspKey, { host: "127.0.0.1", port: h.sim.port, protocol: "http", maxNetworkRetries: 0 });
});
afterAll(async () => {
  await h.close();
});

const db = () => h.database.db;
const rejection = (p: Promise<unknown>) => rejectionOf(p, DomainError);
const exceptionsOf = (paymentIntentId: string) =>
  db().select().from(financeExceptions).where(eq(financeExceptions.paymentIntentId, paymentIntentId)).orderBy(financeExceptions.dedupeKey);
const pendingAttempt = async (paymentIntentId: string) =>
  (await db().select().from(paymentAttempts).where(and(eq(paymentAttempts.paymentIntentId, paymentIntentId), eq(paymentAttempts.status, "pending"))))[0]!;

/** An intent whose authorization is recorded and in flight: the PSP call failed before committing. */
async function inFlightAuthorization(merchantId: string, amount: number, captureMethod: "automatic" | "manual") {
  const ctx = h.ctx();
  const pi = await createPaymentIntent(ctx, merchantId, { amount, currency: "usd", capture_method: captureMethod, payment_method: "pm_card_visa" });
  await h.faults({ fail5xx: { count: 1 } });
  expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("psp_unavailable");
  await h.clearFaults();
  return { pi, attempt: await pendingAttempt(pi.id) };
}

const applyAuthorize = (merchantId: string, piId: string, attemptId: string, result: Exclude<AuthorizeResult, { outcome: "unknown" }>) =>
  db().transaction((tx) => applyAuthorizeResult(tx, merchantId, piId, attemptId, result));

describe("applying a PSP result compares it with what we recorded", () => {
  it("a PSP that charged more than recorded (5000 for 3000) is booked at ours and recorded for finance: no CHECK break, nothing in flight", async () => {
    const { merchantId } = await h.newMerchant();
    const { pi, attempt } = await inFlightAuthorization(merchantId, 3_000, "automatic");
    const result = { outcome: "captured", pspPaymentIntentId: "pi_psp", pspChargeId: "ch_psp", amountCaptured: 5_000n, fee: 175n, amount: 5_000n, currency: "usd" } as const;

    const applied = await applyAuthorize(merchantId, pi.id, attempt.id, result);
    expect(applied.ok).toBe(true);
    const row = (await findPaymentIntent(db(), merchantId, pi.id))!;
    expect(row).toMatchObject({ status: "captured", amountReceived: 3_000n, amountCapturable: 0n });
    expect(await paymentLedgerTotals(db(), merchantId, pi.id)).toMatchObject({ authorized: 3_000n, captured: 3_000n, held: 0n });
    expect((await pendingAttempt(pi.id)) ?? null).toBeNull();
    const found = await exceptionsOf(pi.id);
    expect(found.map((e) => [e.kind, e.source, e.ours, e.theirs])).toEqual([
      ["amount_mismatch", "psp_result", { amount: "3000" }, { amount: "5000" }],
      ["amount_mismatch", "psp_result", { amount_received: "3000" }, { amount_received: "5000" }],
    ]);
    expect(found.every((e) => e.attemptId === attempt.id && e.pspReference === "pi_psp")).toBe(true);

    // A replayed apply (a retry, recovery) changes nothing and records nothing twice.
    await applyAuthorize(merchantId, pi.id, attempt.id, result);
    expect(await exceptionsOf(pi.id)).toHaveLength(2);
    expect((await trialBalance(db(), { merchantId })).balanced).toBe(true);
  });

  it("a smaller hold than asked is applied as the PSP made it; a capture where we asked for a hold is applied and recorded as status_mismatch", async () => {
    const { merchantId } = await h.newMerchant();
    const a = await inFlightAuthorization(merchantId, 3_000, "manual");
    await applyAuthorize(merchantId, a.pi.id, a.attempt.id, { outcome: "authorized", pspPaymentIntentId: "pi_a", pspChargeId: null, amountCapturable: 2_000n, amount: 3_000n, currency: "usd" });
    expect(await findPaymentIntent(db(), merchantId, a.pi.id)).toMatchObject({ status: "authorized", amountCapturable: 2_000n });
    expect((await paymentLedgerTotals(db(), merchantId, a.pi.id)).held).toBe(2_000n);
    expect((await exceptionsOf(a.pi.id)).map((e) => e.kind)).toEqual(["amount_mismatch"]);

    const b = await inFlightAuthorization(merchantId, 1_000, "manual");
    await applyAuthorize(merchantId, b.pi.id, b.attempt.id, { outcome: "captured", pspPaymentIntentId: "pi_b", pspChargeId: null, amountCaptured: 1_000n, fee: null, amount: 1_000n, currency: "usd" });
    expect(await findPaymentIntent(db(), merchantId, b.pi.id)).toMatchObject({ status: "captured", amountReceived: 1_000n });
    expect((await exceptionsOf(b.pi.id)).map((e) => [e.kind, e.ours, e.theirs])).toEqual([["status_mismatch", { status: "authorized" }, { status: "captured" }]]);
  });

  it("a charge in another currency is not booked: the payment ends failed with nothing in the ledger and a currency_mismatch", async () => {
    const { merchantId } = await h.newMerchant();
    const { pi, attempt } = await inFlightAuthorization(merchantId, 3_000, "automatic");
    const applied = await applyAuthorize(merchantId, pi.id, attempt.id, { outcome: "captured", pspPaymentIntentId: "pi_c", pspChargeId: null, amountCaptured: 3_000n, fee: null, amount: 3_000n, currency: "eur" });
    expect(applied.ok).toBe(true);
    const row = (await findPaymentIntent(db(), merchantId, pi.id))!;
    expect(row).toMatchObject({ status: "failed", amountReceived: 0n, amountCapturable: 0n });
    expect(row.lastPaymentError).toMatchObject({ code: "psp_result_mismatch" });
    expect(await paymentLedgerTotals(db(), merchantId, pi.id)).toMatchObject({ authorized: 0n, captured: 0n });
    expect((await exceptionsOf(pi.id)).map((e) => [e.kind, e.ours, e.theirs])).toEqual([["currency_mismatch", { currency: "usd" }, { currency: "eur" }]]);
    expect((await pendingAttempt(pi.id)) ?? null).toBeNull();
  });

  it("a payment captured at the PSP outside Payrail for another amount: our capture applies what the PSP took and records the difference", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    await psp.paymentIntents.capture(pi.pspPaymentIntentId!, { amount_to_capture: 4_000 }); // e.g. from the PSP's dashboard

    const done = await capturePaymentIntent(ctx, merchantId, pi.id, {});
    expect(done).toMatchObject({ status: "captured", amountReceived: 4_000n, amountCapturable: 0n });
    expect(await paymentLedgerTotals(db(), merchantId, pi.id)).toMatchObject({ captured: 4_000n, released: 1_000n, held: 0n });
    expect((await exceptionsOf(pi.id)).map((e) => [e.kind, e.ours, e.theirs])).toEqual([["amount_mismatch", { amount_received: "5000" }, { amount_received: "4000" }]]);
    expect((await trialBalance(db(), { merchantId })).balanced).toBe(true);
  });

  it("a refund the PSP made smaller than asked is booked as made; a larger one is booked at ours; both recorded", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const inFlightRefund = async (amount: number) => {
      await h.faults({ fail5xx: { count: 1, path: "/v1/refunds" } });
      expect((await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id, amount }))).code).toBe("psp_unavailable");
      await h.clearFaults();
      const attempt = await pendingAttempt(pi.id);
      return { refundId: attempt.refundId!, attemptId: attempt.id };
    };
    const apply = (r: { refundId: string; attemptId: string }, result: Exclude<RefundResult, { outcome: "unknown" }>) =>
      db().transaction((tx) => applyRefundResult(tx, merchantId, r.refundId, r.attemptId, result));

    const small = await inFlightRefund(1_000);
    expect((await apply(small, { outcome: "succeeded", pspRefundId: "re_1", amount: 600n, currency: "usd" })).amount).toBe(600n);
    const large = await inFlightRefund(1_000);
    expect((await apply(large, { outcome: "succeeded", pspRefundId: "re_2", amount: 9_000n, currency: "usd" })).amount).toBe(1_000n);

    const row = (await findPaymentIntent(db(), merchantId, pi.id))!;
    expect(row).toMatchObject({ status: "partially_refunded", amountRefunded: 1_600n });
    expect((await paymentLedgerTotals(db(), merchantId, pi.id)).refunded).toBe(1_600n);
    const rows = await db().select().from(refunds).where(eq(refunds.paymentIntentId, pi.id));
    expect(rows.map((r) => [r.status, r.amount]).sort()).toEqual([["succeeded", 1_000n], ["succeeded", 600n]]);
    const found = await exceptionsOf(pi.id);
    expect(found.map((e) => [e.kind, e.refundId, e.theirs])).toEqual(
      expect.arrayContaining([
        ["amount_mismatch", small.refundId, { amount: "600" }],
        ["amount_mismatch", large.refundId, { amount: "9000" }],
      ]),
    );
    expect((await trialBalance(db(), { merchantId })).balanced).toBe(true);
  });
});

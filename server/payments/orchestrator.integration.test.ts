import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, paymentAttempts } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { accountBalances, paymentLedgerTotals, trialBalance } from "@/server/ledger";
import { createHarness, type Harness } from "@/tests/harness";
import { rejectionOf } from "@/tests/rejection";
import { createRefund } from "../refunds/service";
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
  updatePaymentIntentDetails,
} from "./orchestrator";
import { refreshRequiresAction } from "./authentication";
import { recoverStaleAttempts } from "./recovery";
import { findPaymentIntent } from "./repository";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, DomainError);

const balancesOf = async (merchantId: string) =>
  Object.fromEntries((await accountBalances(h.database.db, merchantId)).map((b) => [b.code, b.balance]));

describe("payment orchestrator against PostgreSQL and the PSP simulator", () => {
  it("authorizes, partially captures, releases the rest and refunds in parts up to the captured amount", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 10_000, currency: "USD", capture_method: "manual" });
    expect(pi.status).toBe("created");

    const authorized = await confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_visa" });
    expect(authorized.status).toBe("authorized");
    expect(authorized.amountCapturable).toBe(10_000n);
    expect(authorized.pspPaymentIntentId).toMatch(/^pi_/);

    const captured = await capturePaymentIntent(ctx, merchantId, pi.id, { amount_to_capture: 7_000 });
    expect(captured.status).toBe("captured");
    expect(captured.amountReceived).toBe(7_000n);
    expect(captured.amountCapturable).toBe(0n);

    const r1 = await createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 2_000 });
    const r2 = await createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 3_000 });
    expect([r1.status, r2.status]).toEqual(["succeeded", "succeeded"]);
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("partially_refunded");

    const over = await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 2_001 }));
    expect(over.code).toBe("amount_too_large");

    const last = await createRefund(ctx, merchantId, { payment_intent: pi.id });
    expect(last.amount).toBe(2_000n);
    const final = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(final.status).toBe("refunded");
    expect(final.amountRefunded).toBe(7_000n);
    expect((await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 1 }))).code).toBe("charge_already_refunded");

    const totals = await paymentLedgerTotals(h.database.db, merchantId, pi.id);
    expect(totals).toMatchObject({ authorized: 10_000n, captured: 7_000n, released: 3_000n, refunded: 7_000n, held: 0n });
    const b = await balancesOf(merchantId);
    expect(b.authorization_holds).toBe(0n);
    expect(b.merchant_payable).toBe(0n); // everything captured was refunded
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });

  it("captures immediately with automatic capture and books the PSP fee", async () => {
    const { merchantId } = await h.newMerchant();
    const pi = await createPaymentIntent(h.ctx(), merchantId, { amount: 2_000, currency: "eur", payment_method: "pm_card_visa", confirm: true });
    expect(pi.status).toBe("captured");
    expect(pi.amountReceived).toBe(2_000n);
    const b = await balancesOf(merchantId);
    // 2.9% + 30 = 88 on 2,000
    expect(b.psp_fees).toBe(88n);
    expect(b.psp_receivable).toBe(1_912n);
    expect(b.merchant_payable).toBe(-2_000n);
    const types = (await h.database.db.select().from(events).where(eq(events.objectId, pi.id))).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["payment_intent.created", "payment_intent.succeeded"]));
  });

  it("books a tiny capture whose PSP fee exceeds the amount (never leaves it in flight)", async () => {
    const { merchantId } = await h.newMerchant();
    const pi = await createPaymentIntent(h.ctx(), merchantId, { amount: 4, currency: "kwd", payment_method: "pm_card_visa", confirm: true });
    expect(pi.status).toBe("captured");
    const b = await balancesOf(merchantId);
    expect(b).toMatchObject({ psp_fees: 30n, psp_receivable: -26n, merchant_payable: -4n, authorization_holds: 0n });
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });

  it("answers a decline with card_error details and allows another payment method", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 500, currency: "usd" });
    const err = await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_chargeDeclinedInsufficientFunds" }));
    expect(err.code).toBe("card_declined");
    expect(err.httpStatus).toBe(402);
    expect(err.details.declineCode).toBe("insufficient_funds");
    const after = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(after.status).toBe("requires_payment_method");
    expect(after.lastPaymentError).toMatchObject({ type: "card_error", decline_code: "insufficient_funds" });
    expect((await accountBalances(h.database.db, merchantId)).every((x) => x.balance === 0n)).toBe(true);

    const ok = await confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_mastercard" });
    expect(ok.status).toBe("captured");
    expect(ok.lastPaymentError).toBeNull();
  });

  it("leaves a 3-D Secure payment in requires_action and completes it after authentication", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 4_200, currency: "gbp", capture_method: "manual", payment_method: "pm_card_authenticationRequired" });
    const waiting = await confirmPaymentIntent(ctx, merchantId, pi.id, { return_url: "https://shop.example/return" });
    expect(waiting.status).toBe("requires_action");
    expect(waiting.nextAction).toMatchObject({ type: "redirect_to_url" });

    const res = await fetch(`${h.sim.url}/_sim/3ds/${waiting.pspPaymentIntentId}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${h.pspKey}` },
      body: JSON.stringify({ outcome: "success", apiKey: h.pspKey }),
    });
    expect(res.status).toBeLessThan(400);
    const done = await refreshRequiresAction(ctx, merchantId, pi.id);
    expect(done.ok && done.value.status).toBe("authorized");
    expect((await paymentLedgerTotals(h.database.db, merchantId, pi.id)).authorized).toBe(4_200n);
  });

  it("cancels an authorization and releases the hold; refuses to cancel a captured payment", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 900, currency: "jpy", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    expect(pi.status).toBe("authorized");
    const cancelled = await cancelPaymentIntent(ctx, merchantId, pi.id, { cancellation_reason: "requested_by_customer" });
    expect(cancelled.status).toBe("cancelled");
    expect((await paymentLedgerTotals(h.database.db, merchantId, pi.id)).held).toBe(0n);
    expect((await rejection(capturePaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("payment_intent_unexpected_state");

    const paid = await createPaymentIntent(ctx, merchantId, { amount: 900, currency: "jpy", payment_method: "pm_card_visa", confirm: true });
    const err = await rejection(cancelPaymentIntent(ctx, merchantId, paid.id, {}));
    expect(err.code).toBe("payment_intent_unexpected_state");
    expect(err.message).toContain(paid.id);
    expect((await findPaymentIntent(h.database.db, merchantId, paid.id))!.status).toBe("captured");
  });

  it("rejects invalid transitions and bad amounts without changing anything", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 1_000, currency: "usd", capture_method: "manual" });
    expect((await rejection(capturePaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("payment_intent_unexpected_state");
    expect((await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id }))).code).toBe("payment_intent_unexpected_state");
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("parameter_missing");
    expect((await rejection(createPaymentIntent(ctx, merchantId, { amount: "12.5", currency: "usd" }))).code).toBe("parameter_invalid");
    expect((await rejection(createPaymentIntent(ctx, merchantId, { amount: 100, currency: "zzz" }))).code).toBe("currency_invalid");

    const authorized = await confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_visa" });
    expect((await rejection(capturePaymentIntent(ctx, merchantId, pi.id, { amount_to_capture: 1_001 }))).code).toBe("amount_too_large");
    expect((await rejection(updatePaymentIntentDetails(ctx, merchantId, pi.id, { amount: 5 }))).code).toBe("payment_intent_unexpected_state");
    const unchanged = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(unchanged.version).toBe(authorized.version);
    expect(unchanged.status).toBe("authorized");
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, "pi_doesnotexist", {}))).code).toBe("resource_missing");
  });

  it("answers an unknown payment method with a 400 naming payment_method and keeps the intent confirmable", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 1_200, currency: "usd" });
    const err = await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_does_not_exist" }));
    expect(err.httpStatus).toBe(400);
    expect(err.details.param).toBe("payment_method");
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("requires_payment_method");
    expect((await confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_visa" })).status).toBe("captured");
  });

  it("does not see another merchant's payments", async () => {
    const a = await h.newMerchant();
    const b = await h.newMerchant();
    const pi = await createPaymentIntent(h.ctx(), a.merchantId, { amount: 100, currency: "usd" });
    expect((await rejection(confirmPaymentIntent(h.ctx(), b.merchantId, pi.id, { payment_method: "pm_card_visa" }))).code).toBe("resource_missing");
  });
});

describe("PSP faults", () => {
  it("rides out PSP 5xx answers by retrying with the same PSP key: one charge", async () => {
    const { merchantId } = await h.newMerchant();
    await h.faults({ fail5xx: { count: 2, path: "/v1/payment_intents" } });
    const pi = await createPaymentIntent(h.ctx({ maxNetworkRetries: 3 }), merchantId, { amount: 1_500, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await h.clearFaults();
    expect(pi.status).toBe("captured");
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
  });

  it("keeps a timed-out authorization in flight and resolves it once, without a second charge", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ maxNetworkRetries: 0, timeoutMs: 400 });
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 3_300, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa" });
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    const err = await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}));
    await h.clearFaults();
    expect(err.code).toBe("psp_unavailable");
    const inFlight = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(inFlight.status).toBe("authorizing");
    const pending = await h.database.db.select().from(paymentAttempts).where(and(eq(paymentAttempts.paymentIntentId, pi.id), eq(paymentAttempts.status, "pending")));
    expect(pending).toHaveLength(1);

    // A confirm with another key is refused while the first is unresolved.
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("payment_intent_unexpected_state");

    const report = await recoverStaleAttempts(h.ctx(), { olderThanMs: 0 });
    expect(report.resolved).toBeGreaterThanOrEqual(1);
    const resolved = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(resolved.status).toBe("authorized");
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
    expect((await paymentLedgerTotals(h.database.db, merchantId, pi.id)).authorized).toBe(3_300n);

    // Recovery again finds nothing to do and posts nothing twice.
    await recoverStaleAttempts(h.ctx(), { olderThanMs: 0 });
    expect((await paymentLedgerTotals(h.database.db, merchantId, pi.id)).authorized).toBe(3_300n);
  });

  it("resolves a capture that timed out after the PSP committed it", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ maxNetworkRetries: 0, timeoutMs: 400 });
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/capture", hangMs: 1_500 } });
    expect((await rejection(capturePaymentIntent(ctx, merchantId, pi.id, { amount_to_capture: 4_000 }))).code).toBe("psp_unavailable");
    await h.clearFaults();
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("capturing");
    await recoverStaleAttempts(h.ctx(), { olderThanMs: 0 });
    const done = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(done.status).toBe("captured");
    expect(done.amountReceived).toBe(4_000n);
    expect(await paymentLedgerTotals(h.database.db, merchantId, pi.id)).toMatchObject({ captured: 4_000n, released: 1_000n, held: 0n });
    expect((await h.stats()).captures).toBeGreaterThanOrEqual(1);
  });

  it("an authorization whose call never reached the PSP (crash or 5xx before commit) is sent again by recovery and charges once", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ maxNetworkRetries: 0 });
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 777, currency: "usd", payment_method: "pm_card_visa" });
    await h.faults({ fail5xx: { count: 1, path: "/v1/payment_intents" } });
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("psp_unavailable");
    await h.clearFaults();
    expect((await h.stats()).chargesByMetadata[pi.id] ?? 0).toBe(0);
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("authorizing");

    const report = await recoverStaleAttempts(h.ctx(), { olderThanMs: 0 });
    expect(report.resolved).toBeGreaterThanOrEqual(1); // other tests may leave work for the same sweep
    const done = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(done.status).toBe("captured");
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });

  it("a refund whose PSP answer was lost stays pending and is completed once by recovery", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ maxNetworkRetries: 0, timeoutMs: 400 });
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 3_000, currency: "eur", payment_method: "pm_card_visa", confirm: true });
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/refunds", hangMs: 1_500 } });
    expect((await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 1_000 }))).code).toBe("psp_unavailable");
    await h.clearFaults();
    // While the first refund is unresolved its amount is reserved: no over-refund is possible.
    expect((await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 2_001 }))).code).toBe("amount_too_large");
    await recoverStaleAttempts(h.ctx(), { olderThanMs: 0 });
    const after = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(after.status).toBe("partially_refunded");
    expect(after.amountRefunded).toBe(1_000n);
    expect((await paymentLedgerTotals(h.database.db, merchantId, pi.id)).refunded).toBe(1_000n);
    expect((await h.stats()).refunds).toBeGreaterThanOrEqual(1);
  });
});

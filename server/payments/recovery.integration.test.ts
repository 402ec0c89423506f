import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, financeExceptions, ledgerJournals, paymentAttempts, refunds } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import { createHarness, type Harness } from "@/tests/harness";
import { rejectionOf } from "@/tests/rejection";
import { createRefund } from "../refunds/service";
import { confirmPaymentIntent, createPaymentIntent } from "./orchestrator";
import { getPaymentIntent } from "./queries";
import { recoverStaleAttempts, type RecoveryOptions } from "./recovery";
import { findRefund } from "../refunds/repository";
import { findPaymentIntent } from "./repository";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.clearFaults();
  await h.close();
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, DomainError);
const HOUR = 3_600_000;
/** A sweep "later": the test moves the sweep's clock instead of sleeping through backoff. */
const sweep = (opts: RecoveryOptions = {}) => recoverStaleAttempts(h.ctx(), { olderThanMs: 0, requiresActionOlderThanMs: 0, ...opts });
const later = (ms: number) => new Date(Date.now() + ms);

async function control(path: string, body: Record<string, unknown>) {
  const res = await fetch(`${h.sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator control ${path}: ${res.status} ${await res.text()}`);
}

const attemptsOf = (paymentIntentId: string) => h.database.db.select().from(paymentAttempts).where(eq(paymentAttempts.paymentIntentId, paymentIntentId));
const countEvents = async (objectId: string, type: string) =>
  Number((await h.database.db.select({ n: sql<number>`count(*)::int` }).from(events).where(and(eq(events.objectId, objectId), eq(events.type, type))))[0]!.n);
const countJournals = async (paymentIntentId: string) =>
  Number((await h.database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerJournals).where(eq(ledgerJournals.paymentIntentId, paymentIntentId)))[0]!.n);

describe("recovery never starves", () => {
  it("150 attempts that keep failing do not block a recoverable one behind them: it is resolved in the next sweep", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ maxNetworkRetries: 0, timeoutMs: 300 });
    const paid = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await sweep(); // earlier tests' leftovers are either resolved or pushed back by now

    // Every authorization fails at the PSP (5xx) for as long as the fault lasts.
    await h.faults({ fail5xx: { count: 1_000_000, path: "/v1/payment_intents" } });
    const hopeless: string[] = [];
    for (let i = 0; i < 15; i++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const pi = await createPaymentIntent(ctx, merchantId, { amount: 1_000 + i, currency: "usd", payment_method: "pm_card_visa" });
          expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("psp_unavailable");
          return pi.id;
        }),
      );
      hopeless.push(...batch);
    }
    // Behind them, a refund whose answer was lost: repeating it with its key resolves it.
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/refunds", hangMs: 800 } });
    const lost = await rejection(createRefund(ctx, merchantId, { payment_intent: paid.id, amount: 1_200 }));
    expect(lost.code).toBe("psp_unavailable");

    const first = await sweep();
    expect(first.examined).toBe(100);
    expect(first.stillUnknown).toBe(100);
    const second = await sweep();
    expect(second.examined).toBe(51);
    const refund = (await h.database.db.select().from(refunds).where(eq(refunds.paymentIntentId, paid.id)))[0]!;
    expect(refund.status).toBe("succeeded");
    expect((await findPaymentIntent(h.database.db, merchantId, paid.id))!.amountRefunded).toBe(1_200n);
    expect((await paymentLedgerTotals(h.database.db, merchantId, paid.id)).refunded).toBe(1_200n);

    // Each failed try was counted and pushed back with backoff, never resolved by guesswork.
    const failing = await h.database.db.select().from(paymentAttempts).where(inArray(paymentAttempts.paymentIntentId, hopeless));
    expect(failing.every((a) => a.status === "pending" && a.recoveryTries === 1 && a.nextAttemptAt! > new Date())).toBe(true);
    expect(failing[0]!.lastPspAnswer).toMatchObject({ error: "psp_unavailable" });

    // Once the PSP answers again, a later sweep resolves all of them, one charge each.
    await h.clearFaults();
    await sweep({ now: later(HOUR), limit: 200 });
    const statuses = await Promise.all(hopeless.map(async (id) => (await findPaymentIntent(h.database.db, merchantId, id))!.status));
    expect(new Set(statuses)).toEqual(new Set(["captured"]));
    const charges = (await h.stats()).chargesByMetadata;
    expect(hopeless.every((id) => charges[id] === 1)).toBe(true);
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  }, 120_000);

  it("after the bounded tries an attempt becomes a recovery_exhausted exception with the PSP's last answer and is not swept again", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ maxNetworkRetries: 0 });
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 4_321, currency: "eur", capture_method: "manual", payment_method: "pm_card_visa" });
    await h.faults({ fail5xx: { count: 1_000_000, path: "/v1/payment_intents" } });
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("psp_unavailable");

    const tries = 3;
    for (let i = 1; i <= tries; i++) await sweep({ maxTries: tries, now: later(i * 2 * HOUR) }); // within the PSP key's lifetime
    const [attempt] = await attemptsOf(pi.id);
    expect(attempt).toMatchObject({ status: "exhausted", recoveryTries: tries, nextAttemptAt: null });

    const exceptions = await h.database.db.select().from(financeExceptions).where(eq(financeExceptions.paymentIntentId, pi.id));
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ kind: "recovery_exhausted", source: "recovery", status: "open", attemptId: attempt!.id, merchantId });
    expect(exceptions[0]!.theirs).toMatchObject({ error: "psp_unavailable" });
    expect(String(exceptions[0]!.theirs.psp_reason)).toContain("500");
    expect(exceptions[0]!.ours).toMatchObject({ kind: "authorize", amount: "4321", currency: "eur", tries });

    // The intent stays truthfully in flight (the PSP's outcome is unknown); nothing was booked.
    const after = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(after.status).toBe("authorizing");
    expect(await countJournals(pi.id)).toBe(0);
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);

    // Further sweeps leave it alone: no PSP call, no second exception.
    await h.clearFaults();
    await sweep({ maxTries: tries, now: later(100 * HOUR) });
    expect((await attemptsOf(pi.id))[0]).toMatchObject({ status: "exhausted", recoveryTries: tries });
    expect((await h.stats()).chargesByMetadata[pi.id] ?? 0).toBe(0);
    expect((await h.database.db.select().from(financeExceptions).where(eq(financeExceptions.paymentIntentId, pi.id)))).toHaveLength(1);
  });
});

describe("3-D Secure outcomes reach the intent", () => {
  async function challenged(opts: { capture?: "manual" | "automatic"; amount?: number } = {}) {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, {
      amount: opts.amount ?? 4_200,
      currency: "gbp",
      capture_method: opts.capture ?? "manual",
      payment_method: "pm_card_authenticationRequired",
    });
    const waiting = await confirmPaymentIntent(ctx, merchantId, pi.id, { return_url: "https://shop.example/return" });
    expect(waiting.status).toBe("requires_action");
    const finish = (outcome: "success" | "fail") => control(`/_sim/3ds/${waiting.pspPaymentIntentId}`, { outcome });
    return { merchantId, ctx, id: pi.id, finish };
  }

  const retrieve = (merchantId: string, id: string) => getPaymentIntent({ ...h.ctx(), merchantId }, id);

  it("retrieve applies a completed challenge: requires_capture, authorization booked once", async () => {
    const { merchantId, id, finish } = await challenged();
    expect((await retrieve(merchantId, id)).status).toBe("requires_action"); // not finished yet: unchanged
    await finish("success");
    const pi = await retrieve(merchantId, id);
    expect(pi.status).toBe("requires_capture");
    expect(pi.amount_capturable).toBe(4_200);
    expect((await retrieve(merchantId, id)).status).toBe("requires_capture");
    expect((await paymentLedgerTotals(h.database.db, merchantId, id)).authorized).toBe(4_200n);
    expect(await countJournals(id)).toBe(1);
    expect(await countEvents(id, "payment_intent.amount_capturable_updated")).toBe(1);
  });

  it("retrieve applies a failed challenge: requires_payment_method with the PSP's error, nothing booked", async () => {
    const { merchantId, id, finish } = await challenged();
    await finish("fail");
    const pi = await retrieve(merchantId, id);
    expect(pi.status).toBe("requires_payment_method");
    expect(pi.last_payment_error).toMatchObject({ code: "payment_intent_authentication_failure" });
    expect(await countJournals(id)).toBe(0);
    expect(await countEvents(id, "payment_intent.payment_failed")).toBe(1);
    expect((await attemptsOf(id))[0]).toMatchObject({ status: "failed", failureCode: "payment_intent_authentication_failure" });
  });

  it("confirm re-checks the PSP: a completed challenge answers succeeded with capture and fee booked", async () => {
    const { merchantId, ctx, id, finish } = await challenged({ capture: "automatic", amount: 10_000 });
    await finish("success");
    const pi = await confirmPaymentIntent(ctx, merchantId, id, {});
    expect(pi.status).toBe("captured");
    expect(pi.amountReceived).toBe(10_000n);
    expect(await paymentLedgerTotals(h.database.db, merchantId, id)).toMatchObject({ authorized: 10_000n, captured: 10_000n, held: 0n });
    expect(await countEvents(id, "payment_intent.succeeded")).toBe(1);
    expect((await h.stats()).chargesByMetadata[id]).toBe(1);
  });

  it("confirm re-checks the PSP: a failed challenge answers the PSP's error and returns to requires_payment_method", async () => {
    const { merchantId, ctx, id, finish } = await challenged();
    await finish("fail");
    const err = await rejection(confirmPaymentIntent(ctx, merchantId, id, {}));
    expect(err.code).toBe("card_declined");
    expect(err.message).toContain("failed authentication");
    const pi = (await findPaymentIntent(h.database.db, merchantId, id))!;
    expect(pi.status).toBe("requires_payment_method");
    expect(pi.lastPaymentError).toMatchObject({ code: "payment_intent_authentication_failure" });
    expect(await countJournals(id)).toBe(0);
    // A new payment method may follow, as after any decline.
    expect((await confirmPaymentIntent(ctx, merchantId, id, { payment_method: "pm_card_visa" })).status).toBe("authorized");
  });

  it("confirm while the challenge is still open replaces it with a new one, which then completes once", async () => {
    const { merchantId, ctx, id, finish } = await challenged();
    const again = await confirmPaymentIntent(ctx, merchantId, id, {});
    expect(again.status).toBe("requires_action");
    const attempts = await attemptsOf(id);
    expect(attempts.map((a) => a.status).sort()).toEqual(["failed", "requires_action"]);
    expect(attempts.find((a) => a.status === "failed")!.failureCode).toBe("superseded");
    await finish("success");
    expect((await retrieve(merchantId, id)).status).toBe("requires_capture");
    expect(await countJournals(id)).toBe(1);
  });

  it("the sweep applies a completed and a failed challenge once it is older than the threshold", async () => {
    const ok = await challenged();
    const bad = await challenged();
    await ok.finish("success");
    await bad.finish("fail");
    await recoverStaleAttempts(h.ctx(), { olderThanMs: 0, requiresActionOlderThanMs: HOUR }); // too young: left alone
    expect((await findPaymentIntent(h.database.db, ok.merchantId, ok.id))!.status).toBe("requires_action");
    await sweep();
    expect((await findPaymentIntent(h.database.db, ok.merchantId, ok.id))!.status).toBe("authorized");
    expect((await paymentLedgerTotals(h.database.db, ok.merchantId, ok.id)).authorized).toBe(4_200n);
    const failed = (await findPaymentIntent(h.database.db, bad.merchantId, bad.id))!;
    expect(failed.status).toBe("requires_payment_method");
    expect(failed.lastPaymentError).toMatchObject({ code: "payment_intent_authentication_failure" });
    await sweep();
    expect(await countJournals(ok.id)).toBe(1);
    expect(await countJournals(bad.id)).toBe(0);
  });

  it("a challenge the customer abandons is polled with backoff, then left to retrieve and confirm (no exception)", async () => {
    const { merchantId, id, finish } = await challenged();
    for (let i = 1; i <= 2; i++) await sweep({ maxTries: 2, now: later(i * 10 * HOUR) });
    expect((await attemptsOf(id))[0]).toMatchObject({ status: "requires_action", recoveryTries: 2, nextAttemptAt: null });
    expect(await h.database.db.select().from(financeExceptions).where(eq(financeExceptions.paymentIntentId, id))).toHaveLength(0);
    await finish("success");
    expect((await retrieve(merchantId, id)).status).toBe("requires_capture");
  });

  it("concurrent retrieves, confirm and sweeps apply the completion exactly once: one journal, one event", async () => {
    const { merchantId, ctx, id, finish } = await challenged();
    await finish("success");
    const results = await Promise.allSettled([
      retrieve(merchantId, id),
      sweep(),
      retrieve(merchantId, id),
      confirmPaymentIntent(ctx, merchantId, id, {}),
      sweep(),
      retrieve(merchantId, id),
    ]);
    // A confirm that arrives after another caller applied the completion is refused as at Stripe
    // (the intent no longer requires action); nothing else may fail.
    const refused = results.filter((r) => r.status === "rejected").map((r) => ((r as PromiseRejectedResult).reason as DomainError).code);
    expect(refused.filter((c) => c !== "payment_intent_unexpected_state")).toEqual([]);
    expect(results.filter((r, i) => r.status === "rejected" && i !== 3)).toEqual([]);
    expect((await findPaymentIntent(h.database.db, merchantId, id))!.status).toBe("authorized");
    expect(await countJournals(id)).toBe(1);
    expect(await countEvents(id, "payment_intent.amount_capturable_updated")).toBe(1);
    expect((await paymentLedgerTotals(h.database.db, merchantId, id)).authorized).toBe(4_200n);
    expect((await h.stats()).chargesByMetadata[id]).toBe(1);
  });
});

describe("pending refunds complete", () => {
  async function pendingRefund(amount: number) {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 3_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await h.faults({ refundsPending: { count: 1 } });
    const refund = await createRefund(ctx, merchantId, { payment_intent: pi.id, amount });
    expect(refund.status).toBe("pending");
    expect(refund.pspRefundId).toMatch(/^re_/);
    // Pending counts against the refundable amount.
    const over = await rejection(createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 3_000 - amount + 1 }));
    expect(["amount_too_large", "charge_already_refunded"]).toContain(over.code);
    // Still pending at the PSP: the sweep books nothing and asks again later.
    await sweep();
    expect((await findRefund(h.database.db, merchantId, refund.id))!.status).toBe("pending");
    expect((await paymentLedgerTotals(h.database.db, merchantId, pi.id)).refunded).toBe(0n);
    return { merchantId, ctx, piId: pi.id, refund };
  }

  it("a refund the PSP later completes is booked once and moves the intent", async () => {
    const { merchantId, piId, refund } = await pendingRefund(1_000);
    await control(`/_sim/refunds/${refund.pspRefundId}`, { outcome: "succeeded" });
    await sweep({ now: later(HOUR) });
    expect((await findRefund(h.database.db, merchantId, refund.id))!.status).toBe("succeeded");
    const pi = (await findPaymentIntent(h.database.db, merchantId, piId))!;
    expect(pi).toMatchObject({ status: "partially_refunded", amountRefunded: 1_000n });
    await sweep({ now: later(10 * HOUR) });
    expect((await paymentLedgerTotals(h.database.db, merchantId, piId)).refunded).toBe(1_000n);
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });

  it("a refund the PSP later fails releases its amount: refundable again, nothing booked", async () => {
    const { merchantId, ctx, piId, refund } = await pendingRefund(3_000);
    await control(`/_sim/refunds/${refund.pspRefundId}`, { outcome: "failed", failure_reason: "expired_or_canceled_card" });
    await sweep({ now: later(HOUR) });
    const failed = (await findRefund(h.database.db, merchantId, refund.id))!;
    expect(failed).toMatchObject({ status: "failed", failureReason: "expired_or_canceled_card" });
    expect(await countEvents(refund.id, "refund.failed")).toBe(1);
    expect((await findPaymentIntent(h.database.db, merchantId, piId))!).toMatchObject({ status: "captured", amountRefunded: 0n });
    expect((await paymentLedgerTotals(h.database.db, merchantId, piId)).refunded).toBe(0n);
    // The whole amount can be refunded again.
    const retry = await createRefund(ctx, merchantId, { payment_intent: piId, amount: 3_000 });
    expect(retry.status).toBe("succeeded");
    expect((await findPaymentIntent(h.database.db, merchantId, piId))!).toMatchObject({ status: "refunded", amountRefunded: 3_000n });
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });
});

import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentAttempts } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import { resetEnvCache } from "@/server/env";
import { startApiServer } from "@/tests/api-server";
import { createHarness, type Harness } from "@/tests/harness";
import { rejectionOf } from "@/tests/rejection";
import { confirmPaymentIntent, createPaymentIntent, updatePaymentIntentDetails } from "./orchestrator";

let h: Harness;
let psp: Stripe; // the PSP seen with the platform's own key: what it really charged
let api: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  h = await createHarness();
  psp = new Stripe(h.pspKey, { host: "127.0.0.1", port: h.sim.port, protocol: "http", maxNetworkRetries: 0 });
  process.env.STRIPE_API_BASE = h.sim.url;
  process.env.STRIPE_SECRET_KEY = h.pspKey;
  resetEnvCache();
  api = await startApiServer();
});
afterAll(async () => {
  await api.close();
  await h.close();
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, DomainError);

describe("what the merchant changes before confirmation reaches the PSP before the charge", () => {
  it("after a decline, the updated amount (5000 -> 3000) is what the PSP charges", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd" });
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_chargeDeclined" }))).code).toBe("card_declined");
    await updatePaymentIntentDetails(ctx, merchantId, pi.id, { amount: 3_000 });

    const done = await confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: "pm_card_visa" });
    expect(done.status).toBe("captured");
    expect(done.amountReceived).toBe(3_000n);
    const atPsp = await psp.paymentIntents.retrieve(done.pspPaymentIntentId!);
    expect(atPsp).toMatchObject({ status: "succeeded", amount: 3_000, amount_received: 3_000, currency: "usd" });
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
    expect(await paymentLedgerTotals(h.database.db, merchantId, pi.id)).toMatchObject({ authorized: 3_000n, captured: 3_000n });
    const pending = await h.database.db.select().from(paymentAttempts).where(and(eq(paymentAttempts.paymentIntentId, pi.id), eq(paymentAttempts.status, "pending")));
    expect(pending).toEqual([]);
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });

  it("after a decline, an updated currency, capture method and payment method reach the PSP", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", payment_method: "pm_card_chargeDeclined" });
    expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("card_declined");
    await updatePaymentIntentDetails(ctx, merchantId, pi.id, { amount: 4_200, currency: "eur", capture_method: "manual", payment_method: "pm_card_mastercard" });

    const done = await confirmPaymentIntent(ctx, merchantId, pi.id, {});
    expect(done).toMatchObject({ status: "authorized", amountCapturable: 4_200n, currency: "eur" });
    const atPsp = await psp.paymentIntents.retrieve(done.pspPaymentIntentId!, { expand: ["payment_method"] });
    expect(atPsp).toMatchObject({ status: "requires_capture", amount: 4_200, amount_capturable: 4_200, currency: "eur", capture_method: "manual" });
    expect((atPsp.payment_method as Stripe.PaymentMethod).card?.brand).toBe("mastercard");
  });

  for (const [where, path] of [
    ["after the PSP update committed", "/v1/payment_intents/pi_"],
    ["after the PSP confirm committed", "/confirm"],
  ] as const) {
    it(`a re-confirmation interrupted ${where} is resumed once: the updated amount is charged once`, async () => {
      const { merchantId } = await h.newMerchant();
      const ctx = h.ctx({ timeoutMs: 150 });
      const pi = await createPaymentIntent(ctx, merchantId, { amount: 5_000, currency: "usd", payment_method: "pm_card_chargeDeclined" });
      await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}));
      await updatePaymentIntentDetails(ctx, merchantId, pi.id, { amount: 3_000, payment_method: "pm_card_visa" });
      await h.faults({ timeoutAfterCommit: { count: 1, path, hangMs: 300 } });
      expect((await rejection(confirmPaymentIntent(ctx, merchantId, pi.id, {}))).code).toBe("psp_unavailable");
      await h.clearFaults();

      const done = await confirmPaymentIntent(ctx, merchantId, pi.id, {}, { resume: true });
      expect(done).toMatchObject({ status: "captured", amountReceived: 3_000n });
      expect((await psp.paymentIntents.retrieve(done.pspPaymentIntentId!)).amount_received).toBe(3_000);
      expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
    });
  }

  it("through the merchant API (stripe SDK): decline, update to 3000, confirm -> 3000 charged, not a 500", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = new Stripe(secretKey, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });
    const pi = await stripe.paymentIntents.create({ amount: 5_000, currency: "usd" });
    const declined = await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclined" }).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((declined as Stripe.errors.StripeCardError).statusCode).toBe(402);
    expect((await stripe.paymentIntents.update(pi.id, { amount: 3_000 })).amount).toBe(3_000);

    const done = await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    expect(done).toMatchObject({ status: "succeeded", amount: 3_000, amount_received: 3_000 });
    const atPsp = (await psp.paymentIntents.list({ limit: 100 })).data.filter((p) => p.metadata.payrail_payment_intent === pi.id);
    expect(atPsp.map((p) => [p.status, p.amount_received])).toEqual([["succeeded", 3_000]]);
  });
});

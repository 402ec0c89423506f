import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processingFee } from "./fees";
import { decodeForm } from "../../http/stripe-form";
import { startSimulator, type RunningSimulator } from "./server";
import { signPayload } from "./webhooks";

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, disputeDelayMs: 0 });
});

afterAll(async () => {
  await sim.close();
});

/** Each test gets its own API key, so its state, stats and faults are isolated. */
function newKey(): string {
  return `sk_test_${randomUUID().replace(/-/g, "")}`;
}

function client(key: string, extra: Partial<Stripe.StripeConfig> = {}): Stripe {
  return new Stripe(key, { host: "127.0.0.1", port: sim.port, protocol: "http", maxNetworkRetries: 0, telemetry: false, ...extra });
}

async function control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

interface Stats {
  authorizations: number;
  captures: number;
  refunds: number;
  declines: number;
  idempotentReplays: number;
  chargesByMetadata: Record<string, number>;
  duplicateCharges: Record<string, number>;
  webhooks: { attempts: number; delivered: number; failed: number; dropped: number; duplicated: number; pending: number };
}

async function stats(key: string): Promise<Stats> {
  return (await control<Stats>("GET", `/_sim/stats?apiKey=${encodeURIComponent(key)}`)).json;
}

async function expectStripeError(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Stripe.errors.StripeError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("condition not met in time");
}

describe("pure helpers", () => {
  it("computes 2.9% + 30 with the percentage rounded half up, in integers", () => {
    expect(processingFee(1000)).toBe(59);
    expect(processingFee(1500)).toBe(74); // 43.5 -> 44
    expect(processingFee(1050)).toBe(60); // 30.45 -> 30
    expect(processingFee(0)).toBe(30);
    expect(processingFee(99_999_999)).toBe(2_900_030);
  });

  it("decodes Stripe bracket form encoding (raw and %-encoded brackets)", () => {
    expect(decodeForm("amount=1000&metadata[order]=o_1&expand[0]=latest_charge&expand[1]=x.y&card%5Bnumber%5D=4242&tags[]=a&tags[]=b")).toEqual({
      amount: "1000",
      metadata: { order: "o_1" },
      expand: ["latest_charge", "x.y"],
      card: { number: "4242" },
      tags: ["a", "b"],
    });
    expect(() => decodeForm("__proto__[polluted]=1&a=%20b+c")).toThrow(/__proto__/);
    expect(decodeForm("a=%20b+c")).toEqual({ a: " b c" });
  });

  it("signs payloads the way stripe.webhooks verifies them", () => {
    const stripe = new Stripe("sk_test_x");
    const payload = JSON.stringify({ id: "evt_1", object: "event", type: "charge.succeeded" });
    const header = signPayload(payload, "whsec_abc");
    expect(stripe.webhooks.constructEvent(payload, header, "whsec_abc").id).toBe("evt_1");
    expect(() => stripe.webhooks.constructEvent(payload, header, "whsec_other")).toThrow();
  });
});

describe("payment intents over the stripe SDK", () => {
  it("automatic capture succeeds and books the fee on the balance transaction", async () => {
    const stripe = client(newKey());
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
      metadata: { payrail_payment_intent: "pay_1" },
      expand: ["latest_charge.balance_transaction"],
    });
    expect(pi.status).toBe("succeeded");
    expect(pi.amount_received).toBe(1000);
    expect(pi.payment_method).toMatch(/^pm_/);
    expect(pi.payment_method).not.toBe("pm_card_visa");
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge.object).toBe("charge");
    expect(charge.captured).toBe(true);
    expect(charge.metadata.payrail_payment_intent).toBe("pay_1");
    expect(charge.payment_method_details?.card?.last4).toBe("4242");
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(txn).toMatchObject({ object: "balance_transaction", amount: 1000, fee: 59, net: 941, type: "charge", reporting_category: "charge", source: charge.id });
    expect(pi.lastResponse.headers["request-id"]).toMatch(/^req_/);
    expect(pi.lastResponse.headers["stripe-version"]).toBeTruthy();

    const fetched = await stripe.paymentIntents.retrieve(pi.id);
    expect(fetched.latest_charge).toBe(charge.id);
    expect(await stripe.balanceTransactions.retrieve(txn.id)).toMatchObject({ fee: 59, net: 941 });
  });

  it("manual capture authorizes, then a partial capture releases the remainder", async () => {
    const key = newKey();
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "eur", capture_method: "manual", payment_method: "pm_card_mastercard", confirm: true });
    expect(pi.status).toBe("requires_capture");
    expect(pi.amount_capturable).toBe(1000);
    expect(pi.amount_received).toBe(0);

    const over = await expectStripeError(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1001 }));
    expect(over.statusCode).toBe(400);
    expect(over.code).toBe("amount_too_large");

    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 600, expand: ["latest_charge.balance_transaction"] });
    expect(captured.status).toBe("succeeded");
    expect(captured.amount_received).toBe(600);
    expect(captured.amount_capturable).toBe(0);
    const charge = captured.latest_charge as Stripe.Charge;
    expect(charge.amount_captured).toBe(600);
    expect((charge.balance_transaction as Stripe.BalanceTransaction).fee).toBe(47); // 17.4 -> 17, + 30

    const again = await expectStripeError(stripe.paymentIntents.capture(pi.id));
    expect(again.code).toBe("payment_intent_unexpected_state");
    const s = await stats(key);
    expect(s.authorizations).toBe(1);
    expect(s.captures).toBe(1);
  });

  it("creates, then confirms in a second call; cancels an authorization", async () => {
    const stripe = client(newKey());
    const pi = await stripe.paymentIntents.create({ amount: 500, currency: "usd", capture_method: "manual" });
    expect(pi.status).toBe("requires_payment_method");
    const updated = await stripe.paymentIntents.update(pi.id, { payment_method: "pm_card_amex", metadata: { a: "1" } });
    expect(updated.status).toBe("requires_confirmation");
    expect(updated.metadata).toEqual({ a: "1" });
    const confirmed = await stripe.paymentIntents.confirm(pi.id);
    expect(confirmed.status).toBe("requires_capture");
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: "requested_by_customer" });
    expect(canceled.status).toBe("canceled");
    expect(canceled.cancellation_reason).toBe("requested_by_customer");
    expect(canceled.amount_capturable).toBe(0);
    const err = await expectStripeError(stripe.paymentIntents.capture(pi.id));
    expect(err.code).toBe("payment_intent_unexpected_state");
  });

  it.each([
    ["pm_card_chargeDeclined", "card_declined", "generic_decline"],
    ["pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"],
    ["pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"],
    ["pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"],
    ["pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"],
    ["pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"],
    ["pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"],
    ["pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"],
  ])("declines %s with 402 %s/%s and leaves the intent retryable", async (pm, code, declineCode) => {
    const key = newKey();
    const stripe = client(key);
    const err = await expectStripeError(stripe.paymentIntents.create({ amount: 1200, currency: "usd", payment_method: pm, confirm: true }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.type).toBe("StripeCardError");
    expect(err.code).toBe(code);
    expect(err.decline_code).toBe(declineCode);
    const embedded = err.payment_intent as Stripe.PaymentIntent;
    expect(embedded.status).toBe("requires_payment_method");
    expect(embedded.last_payment_error?.decline_code).toBe(declineCode);

    const retried = await stripe.paymentIntents.confirm(embedded.id, { payment_method: "pm_card_visa" });
    expect(retried.status).toBe("succeeded");
    expect(retried.last_payment_error).toBeNull();
    const s = await stats(key);
    expect(s.declines).toBe(1);
    expect(s.authorizations).toBe(1);
  });

  it("tokenizes raw test card numbers without storing them, and maps them to behaviours", async () => {
    const stripe = client(newKey());
    const ok = await stripe.paymentMethods.create({ type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2040, cvc: "123" } });
    expect(ok.card).toMatchObject({ brand: "visa", last4: "4242", exp_month: 12, exp_year: 2040 });
    expect(JSON.stringify(ok)).not.toContain("4242424242424242");
    expect(JSON.stringify(await stripe.paymentMethods.retrieve(ok.id))).not.toContain("424242424242");
    const amex = await stripe.paymentMethods.create({ type: "card", card: { number: "378282246310005", exp_month: 1, exp_year: 2041 } });
    expect(amex.card?.brand).toBe("amex");

    const declining = await stripe.paymentMethods.create({ type: "card", card: { number: "4000000000009995", exp_month: 12, exp_year: 2040, cvc: "123" } });
    const err = await expectStripeError(stripe.paymentIntents.create({ amount: 100, currency: "usd", payment_method: declining.id, confirm: true }));
    expect(err.decline_code).toBe("insufficient_funds");

    const bad = await expectStripeError(stripe.paymentMethods.create({ type: "card", card: { number: "4242424242424241", exp_month: 12, exp_year: 2040 } }));
    expect(bad.statusCode).toBe(402);
    expect(bad.code).toBe("incorrect_number");

    const unknown = await expectStripeError(stripe.paymentIntents.create({ amount: 100, currency: "usd", payment_method: "pm_nope", confirm: true }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.code).toBe("resource_missing");
    expect(unknown.param).toBe("payment_method");
  });

  it("rejects bad keys and isolates state per API key", async () => {
    const bad = await expectStripeError(client("sk_live_nope").paymentIntents.list());
    expect(bad).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(bad.statusCode).toBe(401);

    const a = client(newKey());
    const b = client(newKey());
    const pi = await a.paymentIntents.create({ amount: 100, currency: "usd" });
    const missing = await expectStripeError(b.paymentIntents.retrieve(pi.id));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("resource_missing");
  });

  it("accepts JSON bodies", async () => {
    const res = await fetch(`${sim.url}/v1/payment_intents`, {
      method: "POST",
      headers: { authorization: `Bearer ${newKey()}`, "content-type": "application/json", "stripe-version": "2020-08-27" },
      body: JSON.stringify({ amount: 700, currency: "USD", metadata: { k: "v" } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("stripe-version")).toBe("2020-08-27");
    expect(await res.json()).toMatchObject({ object: "payment_intent", amount: 700, currency: "usd", metadata: { k: "v" }, livemode: false });
  });
});

describe("3-D Secure", () => {
  it("requires action, serves the challenge page, and completes through /_sim/3ds", async () => {
    const stripe = client(newKey());
    const pi = await stripe.paymentIntents.create({
      amount: 2500,
      currency: "usd",
      capture_method: "manual",
      payment_method: "pm_card_threeDSecure2Required",
      confirm: true,
      return_url: "https://shop.example/return",
    });
    expect(pi.status).toBe("requires_action");
    expect(pi.next_action?.type).toBe("redirect_to_url");
    const redirectUrl = pi.next_action?.redirect_to_url?.url ?? "";
    expect(redirectUrl).toBe(`${sim.url}/3ds/${pi.id}`);
    expect(pi.next_action?.redirect_to_url?.return_url).toBe("https://shop.example/return");

    const page = await fetch(redirectUrl);
    const html = await page.text();
    expect(html).toContain("Complete");
    expect(html).toContain("Fail");

    const done = await control<Stripe.PaymentIntent>("POST", `/_sim/3ds/${pi.id}`, { outcome: "success" });
    expect(done.status).toBe(200);
    expect(done.json.status).toBe("requires_capture");
    const charge = await stripe.charges.retrieve(done.json.latest_charge as string);
    expect(charge.payment_method_details?.card?.three_d_secure).not.toBeNull();
  });

  it("a failed challenge returns the intent to requires_payment_method", async () => {
    const stripe = client(newKey());
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: "usd", payment_method: "pm_card_authenticationRequired", confirm: true });
    expect(pi.status).toBe("requires_action");
    const done = await control<Stripe.PaymentIntent>("POST", `/_sim/3ds/${pi.id}`, { outcome: "fail" });
    expect(done.json.status).toBe("requires_payment_method");
    expect(done.json.last_payment_error?.code).toBe("payment_intent_authentication_failure");
    expect((await stripe.paymentIntents.retrieve(pi.id)).latest_charge).toBeNull();
  });

  it("the HTML form completes and redirects (303) to return_url", async () => {
    const stripe = client(newKey());
    const pi = await stripe.paymentIntents.create({
      amount: 900,
      currency: "usd",
      payment_method: "pm_card_threeDSecure2Required",
      confirm: true,
      return_url: "http://localhost:3000/pay/abc/return",
    });
    const res = await fetch(`${sim.url}/3ds/${pi.id}/complete`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "outcome=success",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.pathname).toBe("/pay/abc/return");
    expect(location.searchParams.get("payment_intent")).toBe(pi.id);
    expect(location.searchParams.get("redirect_status")).toBe("succeeded");
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("succeeded");
  });
});

describe("refunds", () => {
  it("allows partial and multiple refunds up to the captured amount, never beyond", async () => {
    const key = newKey();
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 300, reason: "requested_by_customer", metadata: { n: "1" } });
    expect(r1).toMatchObject({ object: "refund", amount: 300, status: "succeeded", payment_intent: pi.id, reason: "requested_by_customer" });
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 200 });
    expect(r2.amount).toBe(200);

    const over = await expectStripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 501 }));
    expect(over.statusCode).toBe(400);
    expect(over.type).toBe("StripeInvalidRequestError");
    expect(over.code).toBe("amount_too_large");

    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(500);
    const none = await expectStripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    expect(none.code).toBe("charge_already_refunded");

    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.amount_refunded).toBe(1000);
    expect(charge.refunded).toBe(true);

    const list = await stripe.refunds.list({ payment_intent: pi.id });
    expect(list.data.map((r) => r.amount)).toEqual([500, 200, 300]);
    const txn = await stripe.balanceTransactions.retrieve(r1.balance_transaction as string);
    expect(txn).toMatchObject({ amount: -300, fee: 0, net: -300, type: "refund", reporting_category: "refund", source: r1.id });
    expect((await stats(key)).refunds).toBe(3);
  });

  it("leaves refunds pending under the refundsPending fault until the control API decides them", async () => {
    const key = newKey();
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    expect((await control("POST", "/_sim/faults", { apiKey: key, refundsPending: { count: 2 } })).status).toBe(200);
    const ok = await stripe.refunds.create({ payment_intent: pi.id, amount: 300 });
    const bad = await stripe.refunds.create({ payment_intent: pi.id, amount: 400 });
    expect([ok.status, bad.status]).toEqual(["pending", "pending"]);
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(700);

    const decided = await control<Stripe.Refund>("POST", `/_sim/refunds/${ok.id}`, { outcome: "succeeded" });
    expect(decided.json.status).toBe("succeeded");
    const failed = await control<Stripe.Refund>("POST", `/_sim/refunds/${bad.id}`, { outcome: "failed", failure_reason: "expired_or_canceled_card" });
    expect(failed.json).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card" });
    expect((await stripe.refunds.retrieve(bad.id)).status).toBe("failed");
    // The failed amount is refundable again, and the failure reverses the refund's balance transaction.
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(300);
    const reversal = await stripe.balanceTransactions.retrieve(failed.json.failure_balance_transaction as string);
    expect(reversal).toMatchObject({ amount: 400, type: "refund_failure", source: bad.id });
    expect((await control("POST", `/_sim/refunds/${bad.id}`, { outcome: "succeeded" })).status).toBe(400);
    expect((await control("POST", "/_sim/refunds/re_missing", { outcome: "succeeded" })).status).toBe(404);
    const after = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    expect(after.status).toBe("succeeded"); // the fault covered two refunds only
  });

  it("refuses refunds of uncaptured intents", async () => {
    const stripe = client(newKey());
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    const err = await expectStripeError(stripe.refunds.create({ payment_intent: pi.id }));
    expect(err.statusCode).toBe(400);
  });
});

describe("idempotency", () => {
  it("replays the stored response for the same key and parameters and charges once", async () => {
    const key = newKey();
    const stripe = client(key);
    const params = { amount: 1500, currency: "usd", payment_method: "pm_card_visa", confirm: true, metadata: { payrail_payment_intent: "pay_idem" } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: "idem-1" });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: "idem-1" });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(first.lastResponse.headers["idempotent-replayed"]).toBeUndefined();

    const conflict = await expectStripeError(stripe.paymentIntents.create({ ...params, amount: 1600 }, { idempotencyKey: "idem-1" }));
    expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(conflict.statusCode).toBe(400);

    const s = await stats(key);
    expect(s.authorizations).toBe(1);
    expect(s.chargesByMetadata).toEqual({ pay_idem: 1 });
    expect(s.duplicateCharges).toEqual({});
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it("replays declines too, and answers 409 while the same key is still running", async () => {
    const key = newKey();
    const stripe = client(key);
    const d1 = await expectStripeError(stripe.paymentIntents.create({ amount: 100, currency: "usd", payment_method: "pm_card_chargeDeclined", confirm: true }, { idempotencyKey: "d" }));
    const d2 = await expectStripeError(stripe.paymentIntents.create({ amount: 100, currency: "usd", payment_method: "pm_card_chargeDeclined", confirm: true }, { idempotencyKey: "d" }));
    expect((d2.payment_intent as Stripe.PaymentIntent).id).toBe((d1.payment_intent as Stripe.PaymentIntent).id);
    expect((await stats(key)).declines).toBe(1);

    await control("POST", "/_sim/faults", { apiKey: key, latencyMs: 300 });
    const results = await Promise.allSettled([
      stripe.paymentIntents.create({ amount: 100, currency: "usd" }, { idempotencyKey: "busy" }),
      new Promise((r) => setTimeout(r, 50)).then(() => stripe.paymentIntents.create({ amount: 100, currency: "usd" }, { idempotencyKey: "busy" })),
    ]);
    await control("DELETE", `/_sim/faults?apiKey=${key}`);
    expect(results[0]?.status).toBe("fulfilled");
    expect(results[1]?.status).toBe("rejected");
    const reason = (results[1] as PromiseRejectedResult).reason as Stripe.errors.StripeError;
    expect(reason.statusCode).toBe(409);
    expect(reason.code).toBe("idempotency_key_in_use");
    expect((await stripe.paymentIntents.list()).data).toHaveLength(2);
  });
});

describe("faults", () => {
  it("fail5xx answers 500 without committing anything", async () => {
    const key = newKey();
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 800, currency: "usd", payment_method: "pm_card_visa" });
    const set = await control("POST", "/_sim/faults", { apiKey: key, fail5xx: { count: 2, path: "/confirm" } });
    expect(set.status).toBe(200);

    for (let i = 0; i < 2; i++) {
      const err = await expectStripeError(stripe.paymentIntents.confirm(pi.id, {}, { idempotencyKey: "c1" }));
      expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect(err.statusCode).toBe(500);
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("requires_confirmation");
    }
    expect((await stats(key)).authorizations).toBe(0);
    const ok = await stripe.paymentIntents.confirm(pi.id, {}, { idempotencyKey: "c1" });
    expect(ok.status).toBe("succeeded");
    expect((await stats(key)).authorizations).toBe(1);
  });

  it("timeoutAfterCommit: the client times out, the retry with the same key replays the one charge", async () => {
    const key = newKey();
    const stripe = client(key);
    const impatient = client(key, { timeout: 300 });
    const pi = await stripe.paymentIntents.create({ amount: 4200, currency: "usd", payment_method: "pm_card_visa", metadata: { payrail_payment_intent: "pay_t" } });
    await control("POST", "/_sim/faults", { apiKey: key, timeoutAfterCommit: { count: 1, path: "/confirm", hangMs: 1500 } });

    const err = await expectStripeError(impatient.paymentIntents.confirm(pi.id, {}, { idempotencyKey: "confirm-pay_t" }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("succeeded"); // committed despite the timeout

    const retry = await stripe.paymentIntents.confirm(pi.id, {}, { idempotencyKey: "confirm-pay_t" });
    expect(retry.status).toBe("succeeded");
    expect(retry.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const s = await stats(key);
    expect(s.authorizations).toBe(1);
    expect(s.chargesByMetadata).toEqual({ pay_t: 1 });
    expect(s.duplicateCharges).toEqual({});
  });

  it("declineNext forces the next authorizations to decline", async () => {
    const key = newKey();
    const stripe = client(key);
    await control("POST", "/_sim/faults", { apiKey: key, declineNext: { count: 1, code: "card_declined", declineCode: "do_not_honor" } });
    const err = await expectStripeError(stripe.paymentIntents.create({ amount: 100, currency: "usd", payment_method: "pm_card_visa", confirm: true }));
    expect(err.decline_code).toBe("do_not_honor");
    const ok = await stripe.paymentIntents.create({ amount: 100, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    expect(ok.status).toBe("succeeded");
  });

  it("rejects malformed fault definitions and lists and clears faults", async () => {
    const bad = await control("POST", "/_sim/faults", { fail5xx: { count: -1 } });
    expect(bad.status).toBe(400);
    const key = newKey();
    await control("POST", "/_sim/faults", { apiKey: key, latencyMs: 5 });
    const listed = await control<{ byApiKey: Record<string, { latencyMs?: number }> }>("GET", "/_sim/faults");
    expect(listed.json.byApiKey[key]?.latencyMs).toBe(5);
    await control("DELETE", `/_sim/faults?apiKey=${key}`);
    const after = await control<{ byApiKey: Record<string, unknown> }>("GET", "/_sim/faults");
    expect(after.json.byApiKey[key]).toBeUndefined();
  });
});

describe("webhooks", () => {
  interface Received {
    body: string;
    signature: string;
  }
  let receiver: Server;
  let receiverUrl = "";
  const received: Received[] = [];
  let failNext = 0;

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (failNext > 0) {
          failNext -= 1;
          res.writeHead(500).end();
          return;
        }
        received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: String(req.headers["stripe-signature"] ?? "") });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  const verifier = new Stripe("sk_test_verify");
  const secret = "whsec_test_secret";

  function eventsFor(piId: string): Stripe.Event[] {
    return received
      .map((r) => verifier.webhooks.constructEvent(r.body, r.signature, secret))
      .filter((e) => {
        const o = e.data.object as { id?: string; payment_intent?: string };
        return o.id === piId || o.payment_intent === piId;
      });
  }

  async function endpointFor(key: string): Promise<void> {
    const r = await control("POST", "/_sim/webhooks", { url: receiverUrl, secret, apiKey: key });
    expect(r.status).toBe(200);
  }

  it("delivers signed events that stripe.webhooks.constructEvent accepts, retrying failures", async () => {
    const key = newKey();
    await endpointFor(key);
    failNext = 2;
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await waitFor(() => eventsFor(pi.id).length >= 3);
    const types = eventsFor(pi.id).map((e) => e.type).sort();
    expect(types).toEqual(["charge.succeeded", "payment_intent.created", "payment_intent.succeeded"]);
    const succeeded = eventsFor(pi.id).find((e) => e.type === "payment_intent.succeeded");
    if (!succeeded) throw new Error(`no payment_intent.succeeded event for ${pi.id}`);
    expect(succeeded.object).toBe("event");
    expect((succeeded.data.object as Stripe.PaymentIntent).status).toBe("succeeded");
    expect(await stripe.events.retrieve(succeeded.id)).toMatchObject({ type: "payment_intent.succeeded" });

    const raw = received[0];
    expect(raw).toBeDefined();
    expect(() => verifier.webhooks.constructEvent(`${raw?.body ?? ""} `, raw?.signature ?? "", secret)).toThrow();
    await waitFor(async () => (await stats(key)).webhooks.pending === 0);
    const s = await stats(key);
    expect(s.webhooks.delivered).toBe(3);
    expect(s.webhooks.attempts).toBe(5);
  });

  it("duplicate fault delivers each event twice; drop fault delivers none", async () => {
    const key = newKey();
    await endpointFor(key);
    const stripe = client(key);
    await control("POST", "/_sim/faults", { apiKey: key, webhooks: { duplicate: true } });
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await waitFor(() => eventsFor(pi.id).length >= 2);
    const ids = eventsFor(pi.id).map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);

    await control("POST", "/_sim/faults", { apiKey: key, webhooks: { drop: 1 } });
    const dropped = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsFor(dropped.id)).toHaveLength(0);
    expect((await stats(key)).webhooks.dropped).toBe(3);
    // the events still exist in the API for reconciliation
    const listed = await stripe.events.list({ limit: 10 });
    expect(listed.data.filter((e) => (e.data.object as { id?: string; payment_intent?: string }).id === dropped.id || (e.data.object as { payment_intent?: string }).payment_intent === dropped.id)).toHaveLength(3);
    await control("DELETE", `/_sim/faults?apiKey=${key}`);
  });

  it("reorder fault swaps consecutive deliveries", async () => {
    const key = newKey();
    await endpointFor(key);
    const stripe = client(key);
    await control("POST", "/_sim/faults", { apiKey: key, webhooks: { reorder: true } });
    const start = received.length;
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    await waitFor(() => eventsFor(pi.id).length >= 3, 4000);
    const order = received.slice(start).map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(order[0]).toBe("charge.succeeded");
    expect(order[1]).toBe("payment_intent.created");
    await control("DELETE", `/_sim/faults?apiKey=${key}`);
  });

  it("opens disputes after capture for pm_card_createDispute and via /_sim/disputes", async () => {
    const key = newKey();
    await endpointFor(key);
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: "usd", payment_method: "pm_card_createDispute", confirm: true });
    expect(pi.status).toBe("succeeded");
    await waitFor(() => eventsFor(pi.id).some((e) => e.type === "charge.dispute.created"));
    const evt = eventsFor(pi.id).find((e) => e.type === "charge.dispute.created");
    const dispute = evt?.data.object as Stripe.Dispute;
    expect(dispute).toMatchObject({ object: "dispute", amount: 3000, currency: "usd", status: "needs_response", payment_intent: pi.id, charge: pi.latest_charge });
    expect(dispute.id).toMatch(/^dp_/);

    const other = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const opened = await control<Stripe.Dispute>("POST", "/_sim/disputes", { payment_intent: other.id, reason: "product_not_received" });
    expect(opened.status).toBe(200);
    expect(opened.json.reason).toBe("product_not_received");
    const twice = await control("POST", "/_sim/disputes", { payment_intent: other.id });
    expect(twice.status).toBe(400);
    const adjustments = await stripe.balanceTransactions.list({ type: "adjustment" });
    expect(adjustments.data.map((t) => t.amount).sort((a, b) => a - b)).toEqual([-3000, -1000]);
  });

  it("takes evidence, submits it, decides won (amount and fee reinstated) or lost, and closes on request", async () => {
    const key = newKey();
    await endpointFor(key);
    const stripe = client(key);
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const opened = await control<Stripe.Dispute>("POST", "/_sim/disputes", { charge: pi.latest_charge });
    expect(opened.status).toBe(200);
    const dp = opened.json;
    expect(dp.balance_transactions.map((t) => [t.amount, t.fee, t.net])).toEqual([[-5000, 1500, -6500]]);
    expect(dp.evidence.uncategorized_text).toBeNull();
    await waitFor(() => eventsFor(dp.id).some((e) => e.type === "charge.dispute.funds_withdrawn"));

    const staged = await stripe.disputes.update(dp.id, { evidence: { uncategorized_text: "Delivered, signed for" }, submit: false, metadata: { case: "c1" } });
    expect(staged).toMatchObject({ status: "needs_response", metadata: { case: "c1" }, evidence_details: { has_evidence: true, submission_count: 0 } });
    const submitted = await stripe.disputes.update(dp.id, { evidence: { shipping_tracking_number: "1Z999" } });
    expect(submitted.status).toBe("under_review");
    expect(submitted.evidence).toMatchObject({ uncategorized_text: "Delivered, signed for", shipping_tracking_number: "1Z999" });
    const recorded = await control<Stripe.Dispute>("GET", `/_sim/disputes/${dp.id}`);
    expect(recorded.json.evidence.shipping_tracking_number).toBe("1Z999");
    expect((await control<{ evidenceSubmissions: number }>("GET", `/_sim/stats?apiKey=${key}`)).json.evidenceSubmissions).toBe(1);
    const late = await expectStripeError(stripe.disputes.update(dp.id, { evidence: { uncategorized_text: "more" } }));
    expect(late.code).toBe("dispute_unexpected_state");
    const unknownField = await expectStripeError(stripe.disputes.update(dp.id, { evidence: { bogus: "x" } as Stripe.DisputeUpdateParams.Evidence }));
    expect(unknownField.param).toBe("evidence[bogus]");

    const won = await control<Stripe.Dispute>("POST", `/_sim/disputes/${dp.id}/decide`, { outcome: "won" });
    expect(won.json.status).toBe("won");
    expect(won.json.balance_transactions.map((t) => [t.amount, t.fee, t.net, t.reporting_category])).toEqual([
      [-5000, 1500, -6500, "dispute"],
      [5000, -1500, 6500, "dispute_reversal"],
    ]);
    await waitFor(() => eventsFor(dp.id).some((e) => e.type === "charge.dispute.closed"));
    const listedEvents = await stripe.events.list({ type: "charge.dispute.*", limit: 20 });
    expect(listedEvents.data.map((e) => e.type).reverse()).toEqual([
      "charge.dispute.created",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.updated",
      "charge.dispute.updated",
      "charge.dispute.funds_reinstated",
      "charge.dispute.closed",
    ]);
    expect((await control("POST", `/_sim/disputes/${dp.id}/decide`, { outcome: "lost" })).status).toBe(400);

    const other = await stripe.paymentIntents.create({ amount: 800, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const second = (await control<Stripe.Dispute>("POST", "/_sim/disputes", { payment_intent: other.id })).json;
    const closed = await stripe.disputes.close(second.id);
    expect(closed.status).toBe("lost");
    expect((await stripe.disputes.close(second.id)).status).toBe("lost");
    const listed = await stripe.disputes.list({ charge: other.latest_charge as string });
    expect(listed.data.map((d) => d.id)).toEqual([second.id]);
  });
});

describe("lists", () => {
  it("paginates newest first with starting_after / ending_before", async () => {
    const stripe = client(newKey());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.paymentIntents.create({ amount: 100 + i, currency: "usd" })).id);
    const newestFirst = [...ids].reverse();
    const p1 = await stripe.paymentIntents.list({ limit: 2 });
    expect(p1.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));
    expect(p1.has_more).toBe(true);
    const p2 = await stripe.paymentIntents.list({ limit: 2, starting_after: p1.data[1]?.id ?? "" });
    expect(p2.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const p3 = await stripe.paymentIntents.list({ limit: 2, starting_after: p2.data[1]?.id ?? "" });
    expect(p3.data.map((p) => p.id)).toEqual(newestFirst.slice(4));
    expect(p3.has_more).toBe(false);
    const back = await stripe.paymentIntents.list({ limit: 2, ending_before: p3.data[0]?.id ?? "" });
    expect(back.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));

    const all: string[] = [];
    for await (const pi of stripe.paymentIntents.list({ limit: 2 })) all.push(pi.id);
    expect(all).toEqual(newestFirst);

    const bad = await expectStripeError(stripe.paymentIntents.list({ starting_after: "pi_missing" }));
    expect(bad.statusCode).toBe(400);
  });

  it("filters balance transactions by created range", async () => {
    const key = newKey();
    const stripe = client(key);
    await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const clock = await control<{ now: number }>("POST", "/_sim/clock", { advanceSeconds: 3600 });
    const boundary = clock.json.now;
    const later = await stripe.paymentIntents.create({ amount: 2000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await stripe.refunds.create({ payment_intent: later.id, amount: 500 });

    const recent = await stripe.balanceTransactions.list({ created: { gte: boundary } });
    expect(recent.data.map((t) => [t.type, t.amount])).toEqual([
      ["refund", -500],
      ["charge", 2000],
    ]);
    const before = await stripe.balanceTransactions.list({ created: { lt: boundary } });
    expect(before.data.map((t) => t.amount)).toEqual([1000]);
    const p1 = await stripe.balanceTransactions.list({ limit: 1 });
    expect(p1.has_more).toBe(true);
    const p2 = await stripe.balanceTransactions.list({ limit: 5, starting_after: p1.data[0]?.id ?? "" });
    expect(p2.data).toHaveLength(2);
    expect(p2.has_more).toBe(false);
  });
});

describe("per-request faults (Simulator-Fault header)", () => {
  it("fails one request with 5xx without committing, and hangs another after committing", async () => {
    const key = newKey();
    const stripe = client(key);
    const failed = await stripe.paymentIntents
      .create({ amount: 500, currency: "usd", payment_method: "pm_card_visa", confirm: true }, { headers: { "Simulator-Fault": "fail5xx" } })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((await stats(key)).authorizations).toBe(0);

    const slow = client(key, { timeout: 200 });
    const timedOut = await slow.paymentIntents
      .create(
        { amount: 600, currency: "usd", payment_method: "pm_card_visa", confirm: true },
        { idempotencyKey: "hdr-timeout", headers: { "Simulator-Fault": "timeout_after_commit; hang_ms=1000" } },
      )
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    const replayed = await stripe.paymentIntents.create({ amount: 600, currency: "usd", payment_method: "pm_card_visa", confirm: true }, { idempotencyKey: "hdr-timeout" });
    expect(replayed.status).toBe("succeeded");
    expect((await stats(key)).authorizations).toBe(1);
  });
});

describe("balance report control (/_sim/reconciliation)", () => {
  it("seeds synthetic lines that list with paging, and drops and duplicates a line", async () => {
    const key = newKey();
    const stripe = client(key);
    const seeded = await control("POST", "/_sim/reconciliation", { apiKey: key, kind: "seed", count: 250, amount: 1000, source_prefix: "ch_seed_" });
    expect(seeded).toMatchObject({ status: 200, json: { seeded: 250, fee: processingFee(1000) } });
    const ids: string[] = [];
    for await (const t of stripe.balanceTransactions.list({ limit: 100 })) ids.push(t.source as string);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);

    expect((await control("POST", "/_sim/reconciliation", { apiKey: key, kind: "drop", source: "ch_seed_7" })).status).toBe(200);
    const dup = await control<{ line: { id: string; source: string; amount: number } }>("POST", "/_sim/reconciliation", { apiKey: key, kind: "duplicate", source: "ch_seed_9" });
    expect(dup.json.line).toMatchObject({ source: "ch_seed_9", amount: 1000 });
    const sources: string[] = [];
    for await (const t of stripe.balanceTransactions.list({ limit: 100 })) sources.push(t.source as string);
    expect(sources).toHaveLength(250);
    expect(sources).not.toContain("ch_seed_7");
    expect(sources.filter((s) => s === "ch_seed_9")).toHaveLength(2);

    const bad = await control("POST", "/_sim/reconciliation", { apiKey: key, kind: "fee", source: "ch_nope", fee: 1 });
    expect(bad.status).toBe(404);
    expect((await control("POST", "/_sim/reconciliation", { apiKey: key, kind: "bogus", source: "ch_seed_1" })).status).toBe(400);
  });
});

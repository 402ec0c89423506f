import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentIntents } from "@/db/schema";
import { loadSessionTarget, payHosted } from "@/server/checkout/hosted";
import { startApiHarness, type ApiServer } from "./api-harness";
import type { Harness } from "./harness";

let h: Harness;
let api: ApiServer;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ h, api, close } = await startApiHarness({ PAYRAIL_PUBLIC_URL: "https://pay.example.test" }));
});
afterAll(() => close());

const sdk = (key: string) => new Stripe(key, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });
const merchant = () => h.newMerchant() as Promise<{ merchantId: string; secretKey: string; publishableKey: string }>;

const lineItems = [
  { price_data: { currency: "usd", unit_amount: 1999, product_data: { name: "Linen shirt" } }, quantity: 2 },
  { price_data: { currency: "usd", unit_amount: 500, product_data: { name: "Gift wrap" } }, quantity: 1 },
];

describe("Checkout Sessions through the official stripe SDK", () => {
  it("creates, retrieves, lists, lists line items and expires; amounts come from the line items", async () => {
    const { secretKey, merchantId } = await merchant();
    const stripe = sdk(secretKey);
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: lineItems,
      success_url: "https://shop.example/thanks?cs={CHECKOUT_SESSION_ID}",
      cancel_url: "https://shop.example/cart",
      customer_email: "ada@example.com",
      metadata: { order: "o_42" },
      payment_intent_data: { capture_method: "manual" },
    });
    expect(session).toMatchObject({
      object: "checkout.session",
      mode: "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: 4498,
      amount_subtotal: 4498,
      currency: "usd",
      customer_email: "ada@example.com",
      metadata: { order: "o_42" },
      success_url: "https://shop.example/thanks?cs={CHECKOUT_SESSION_ID}",
      ui_mode: "hosted",
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toMatch(/^https:\/\/pay\.example\.test\/c\/pay\/[A-Za-z0-9_-]{40,}$/);
    const [pi] = await h.database.db.select().from(paymentIntents).where(eq(paymentIntents.id, session.payment_intent as string));
    expect(pi).toMatchObject({ merchantId, amount: 4498n, currency: "usd", captureMethod: "manual", status: "created" });

    expect((await stripe.checkout.sessions.retrieve(session.id)).amount_total).toBe(4498);
    const items = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    expect(items.has_more).toBe(true);
    expect(items.data[0]).toMatchObject({ object: "item", description: "Linen shirt", quantity: 2, amount_total: 3998, price: { unit_amount: 1999, currency: "usd" } });
    const rest = await stripe.checkout.sessions.listLineItems(session.id, { starting_after: items.data[0]!.id });
    expect(rest.data.map((li) => li.description)).toEqual(["Gift wrap"]);
    const list = await stripe.checkout.sessions.list({ limit: 5 });
    expect(list.data.map((s) => s.id)).toEqual([session.id]);

    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: "expired", url: null });
    expect((await stripe.paymentIntents.retrieve(session.payment_intent as string)).status).toBe("canceled");
    const again = await stripe.checkout.sessions.expire(session.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const events = await stripe.events.list({ limit: 10 });
    expect(events.data.map((e) => e.type)).toContain("checkout.session.expired");
  });

  it("refuses bad line items with a 4xx that creates nothing", async () => {
    const { secretKey } = await merchant();
    const stripe = sdk(secretKey);
    const tooMuch = await stripe.checkout.sessions
      .create({ mode: "payment", line_items: [{ price_data: { currency: "usd", unit_amount: 99_999_999, product_data: { name: "x" } }, quantity: 2 }] })
      .catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const mixed = await stripe.checkout.sessions
      .create({ mode: "payment", line_items: [lineItems[0]!, { ...lineItems[1]!, price_data: { ...lineItems[1]!.price_data, currency: "eur" } }] })
      .catch((e: unknown) => e);
    expect((mixed as Stripe.errors.StripeError).param).toBe("line_items[1][price_data][currency]");
    expect((await stripe.checkout.sessions.list()).data).toHaveLength(0);
    expect((await stripe.paymentIntents.list()).data).toHaveLength(0);
  });

  it("completes once when the hosted page pays, with one checkout.session.completed event", async () => {
    const { secretKey, merchantId } = await merchant();
    const stripe = sdk(secretKey);
    const session = await stripe.checkout.sessions.create({ mode: "payment", line_items: lineItems, success_url: "https://shop.example/ok?cs={CHECKOUT_SESSION_ID}" });
    const token = new URL(session.url!).pathname.split("/").pop()!;
    const ctx = h.ctx();
    const target = (await loadSessionTarget(ctx, token))!;
    const [first, second] = await Promise.all([
      payHosted(ctx, target, { payment_method: "pm_card_visa", email: "b@example.com" }),
      payHosted(ctx, target, { payment_method: "pm_card_visa", email: "b@example.com" }),
    ]);
    // One confirms; the concurrent duplicate either replays it or is told the payment is in progress.
    expect([first.outcome, second.outcome]).toContain("succeeded");
    for (const r of [first, second]) expect(["succeeded", "closed"]).toContain(r.outcome);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done).toMatchObject({ status: "complete", payment_status: "paid", customer_details: { email: "b@example.com" } });
    expect((await h.stats()).chargesByMetadata[session.payment_intent as string]).toBe(1);
    const completed = (await stripe.events.list({ limit: 20 })).data.filter((e) => e.type === "checkout.session.completed");
    expect(completed).toHaveLength(1);
    expect(await loadSessionTarget(ctx, token).then((t) => t?.view.state)).toBe("complete");
    expect(merchantId).toBeTruthy();
  });
});

describe("publishable keys can only do what Stripe.js may do", () => {
  it("retrieves and confirms an intent with its client_secret and is refused everywhere else", async () => {
    const { secretKey, publishableKey } = await merchant();
    expect(publishableKey).toMatch(/^pk_test_/);
    const pi = await sdk(secretKey).paymentIntents.create({ amount: 1200, currency: "usd" });
    const pk = sdk(publishableKey);
    const got = await pk.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret! });
    expect(got.id).toBe(pi.id);
    const wrong = await pk.paymentIntents.retrieve(pi.id, { client_secret: `${pi.id}_secret_nope` }).catch((e: unknown) => e);
    expect((wrong as Stripe.errors.StripeError).statusCode).toBe(400);
    const noSecret = await pk.paymentIntents.retrieve(pi.id).catch((e: unknown) => e);
    expect((noSecret as Stripe.errors.StripeError).statusCode).toBe(400);
    const confirmed = await pk.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa", client_secret: pi.client_secret! } as Stripe.PaymentIntentConfirmParams);
    expect(confirmed.status).toBe("succeeded");

    const refused: [string, () => Promise<unknown>][] = [
      ["list intents", () => pk.paymentIntents.list()],
      ["create intent", () => pk.paymentIntents.create({ amount: 100, currency: "usd" })],
      ["update intent", () => pk.paymentIntents.update(pi.id, { description: "x" })],
      ["capture", () => pk.paymentIntents.capture(pi.id)],
      ["cancel", () => pk.paymentIntents.cancel(pi.id)],
      ["refund", () => pk.refunds.create({ payment_intent: pi.id })],
      ["list refunds", () => pk.refunds.list()],
      ["charges", () => pk.charges.list()],
      ["balance transactions", () => pk.balanceTransactions.list()],
      ["events", () => pk.events.list()],
      ["webhook endpoints", () => pk.webhookEndpoints.list()],
      ["create session", () => pk.checkout.sessions.create({ mode: "payment", line_items: lineItems })],
      ["list sessions", () => pk.checkout.sessions.list()],
    ];
    for (const [name, call] of refused) {
      const e = (await call().catch((err: unknown) => err)) as Stripe.errors.StripeError;
      expect([name, e.statusCode]).toEqual([name, 401]);
      expect(e.message).toContain("publishable API key");
    }
  });
});

import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerAccounts, ledgerJournals, ledgerLines } from "@/db/schema";
import { processingFee } from "@/server/psp/simulator/fees";
import { startApiHarness, type ApiServer } from "./api-harness";
import type { Harness } from "./harness";

/**
 * Stripe compatibility: every field of Stripe's objects, charges a merchant can fetch, and balance
 * transactions that add up to the ledger. Field lists are Stripe's (API 2026-10-28, the version
 * stripe-node 23.1.0 pins: the attributes of its PaymentIntent, Charge, Refund, BalanceTransaction
 * and Event types, as in the API reference).
 */
const STRIPE_FIELDS = {
  payment_intent:
    "id object allowed_payment_method_types amount amount_capturable amount_details amount_received application application_fee_amount automatic_payment_methods canceled_at cancellation_reason capture_method client_secret confirmation_method created currency customer customer_account description excluded_payment_method_types hooks last_payment_error latest_charge livemode managed_payments metadata next_action on_behalf_of payment_details payment_method payment_method_configuration_details payment_method_options payment_method_types payment_record presentment_details processing receipt_email review setup_future_usage shipping source statement_descriptor statement_descriptor_suffix status transfer_data transfer_group",
  charge:
    "id object amount amount_captured amount_refunded application application_fee application_fee_amount authorization_code balance_transaction billing_details calculated_statement_descriptor captured created currency customer description disputed failure_balance_transaction failure_code failure_message fraud_details level3 livemode metadata on_behalf_of outcome paid payment_intent payment_method payment_method_details presentment_details radar_options receipt_email receipt_number receipt_url refunded refunds review shipping source source_transfer statement_descriptor statement_descriptor_suffix status transfer transfer_data transfer_group",
  refund:
    "id object amount balance_transaction charge created currency customer customer_account description destination_details failure_balance_transaction failure_reason instructions_email metadata next_action payment_intent payment_method pending_reason presentment_details reason receipt_number source_transfer_reversal status transfer_reversal",
  balance_transaction: "id object amount available_on balance_type created currency description exchange_rate fee fee_details net reporting_category source status type",
  event: "id object api_version created data livemode pending_webhooks request type",
  outcome: "advice_code network_advice_code network_decline_code network_status reason risk_level risk_score seller_message type",
  card: "amount_authorized authorization_code brand checks country exp_month exp_year funding installments last4 mandate network network_transaction_id regulated_status three_d_secure transaction_link_id wallet",
} as const;
const fieldsOf = (name: keyof typeof STRIPE_FIELDS) => STRIPE_FIELDS[name].split(" ");

/** Keys Stripe defines that the object lacks, and non-Stripe keys that lack the payrail_ prefix. */
function shapeProblems(obj: object, name: keyof typeof STRIPE_FIELDS, extraAllowed: string[] = []) {
  const keys = Object.keys(obj);
  const expected = fieldsOf(name);
  return {
    missing: expected.filter((k) => !keys.includes(k)),
    unprefixed: keys.filter((k) => !expected.includes(k) && !k.startsWith("payrail_") && !extraAllowed.includes(k)),
  };
}
const NO_PROBLEMS = { missing: [], unprefixed: [] };

let h: Harness;
let api: ApiServer;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ h, api, close } = await startApiHarness({ PAYRAIL_PUBLIC_URL: "https://pay.example.test" }));
});
afterAll(() => close());

const sdk = (secretKey: string) => new Stripe(secretKey, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });
/** The PSP (simulator) itself, to compare what it reports with what Payrail shows. */
const psp = () => new Stripe(h.pspKey, { host: "127.0.0.1", port: h.sim.port, protocol: "http", maxNetworkRetries: 0 });

describe("Stripe object shapes", () => {
  it("payment intents, charges, refunds, balance transactions and events carry every field of Stripe's object", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create(
      {
        amount: 5_000,
        currency: "usd",
        capture_method: "manual",
        customer: "cus_opaque_42",
        receipt_email: "buyer@example.com",
        statement_descriptor_suffix: "ORDER 42",
        shipping: { name: "Ada Lovelace", address: { line1: "1 Main St", city: "London", country: "GB" } },
      },
      { idempotencyKey: "shape-create-1" },
    );
    expect(shapeProblems(pi, "payment_intent", ["amount_refunded", "return_url", "invoice"])).toEqual(NO_PROBLEMS);
    expect(pi).toMatchObject({
      customer: "cus_opaque_42",
      receipt_email: "buyer@example.com",
      statement_descriptor_suffix: "ORDER 42",
      latest_charge: null,
      processing: null,
      review: null,
      automatic_payment_methods: null,
      shipping: { name: "Ada Lovelace", address: { line1: "1 Main St", city: "London", country: "GB", line2: null, postal_code: null, state: null }, carrier: null },
    });

    await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 4_000 });
    const charge = await stripe.charges.retrieve(captured.latest_charge as string);
    expect(shapeProblems(charge, "charge")).toEqual(NO_PROBLEMS);
    expect(shapeProblems(charge.outcome!, "outcome", ["rule"])).toEqual(NO_PROBLEMS);
    expect(shapeProblems(charge.payment_method_details!.card!, "card")).toEqual({ missing: [], unprefixed: expect.any(Array) });
    expect(charge).toMatchObject({ customer: "cus_opaque_42", receipt_email: "buyer@example.com", statement_descriptor_suffix: "ORDER 42" });

    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1_000 });
    expect(shapeProblems(refund, "refund")).toEqual(NO_PROBLEMS);
    expect(refund.charge).toBe(charge.id);
    expect(refund.balance_transaction).toMatch(/^txn_/);

    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(shapeProblems(txn, "balance_transaction")).toEqual(NO_PROBLEMS);

    const events = await stripe.events.list({ limit: 100 });
    for (const e of events.data) expect(shapeProblems(e, "event")).toEqual(NO_PROBLEMS);
    const created = events.data.find((e) => e.type === "payment_intent.created")!;
    expect(created.api_version).toBe("2026-10-28.endive");
    expect(created.request).toEqual({ id: pi.lastResponse.requestId, idempotency_key: "shape-create-1" });
    expect((created.data.object as Stripe.PaymentIntent).client_secret).toBe(pi.client_secret);
  });

  it("gives each intent its own client_secret (<id>_secret_<random>), the same on every read", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const a = await stripe.paymentIntents.create({ amount: 1_000, currency: "usd" });
    const b = await stripe.paymentIntents.create({ amount: 1_000, currency: "usd" });
    expect(a.client_secret).toMatch(new RegExp(`^${a.id}_secret_[A-Za-z0-9_-]{20,}$`));
    expect(b.client_secret).not.toBe(a.client_secret);
    expect((await stripe.paymentIntents.retrieve(a.id)).client_secret).toBe(a.client_secret);
    expect((await stripe.paymentIntents.list()).data.find((p) => p.id === a.id)!.client_secret).toBe(a.client_secret);
  });

  it("stores receipt_email, statement descriptors and customer on update, and an empty value unsets them", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 1_000, currency: "usd" });
    const set = await stripe.paymentIntents.update(pi.id, { receipt_email: "a@example.com", statement_descriptor: "PAYRAIL SHOP", customer: "cus_1" });
    expect(set).toMatchObject({ receipt_email: "a@example.com", statement_descriptor: "PAYRAIL SHOP", customer: "cus_1" });
    const unset = await stripe.paymentIntents.update(pi.id, { receipt_email: "" });
    expect(unset).toMatchObject({ receipt_email: null, statement_descriptor: "PAYRAIL SHOP" });
    const bad = await stripe.paymentIntents.update(pi.id, { statement_descriptor: "X".repeat(23) }).catch((e: unknown) => e);
    expect((bad as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((bad as Stripe.errors.StripeError).param).toBe("statement_descriptor");
    expect((await stripe.paymentIntents.retrieve(pi.id)).statement_descriptor).toBe("PAYRAIL SHOP");
  });
});

describe("charges", () => {
  it.each([
    ["pm_card_visa", "visa", "4242", "credit"],
    ["pm_card_mastercard", "mastercard", "4444", "credit"],
    ["pm_card_visa_debit", "visa", "5556", "debit"],
  ])("latest_charge of a payment with %s is a fetchable charge showing %s %s %s", async (pm, brand, last4, funding) => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 2_000, currency: "usd", payment_method: pm, confirm: true });
    expect(pi.status).toBe("succeeded");
    expect(pi.latest_charge).toMatch(/^ch_/);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({
      id: pi.latest_charge,
      object: "charge",
      amount: 2_000,
      amount_captured: 2_000,
      amount_refunded: 0,
      captured: true,
      paid: true,
      refunded: false,
      status: "succeeded",
      payment_intent: pi.id,
      failure_code: null,
      failure_message: null,
      outcome: { network_status: "approved_by_network", type: "authorized", risk_level: "normal", seller_message: "Payment complete." },
      payment_method_details: { type: "card", card: { brand, last4, funding } },
      receipt_url: `https://pay.example.test/receipts/${pi.latest_charge}`,
    });
    expect(charge.payment_method_details!.card!.exp_year).toBeGreaterThan(2000);
    expect(charge.balance_transaction).toMatch(/^txn_/);
    // The PSP's own charge reports the same card.
    const pspCharge = await psp().charges.retrieve((pi as unknown as { payrail_psp_charge: string }).payrail_psp_charge);
    expect(pspCharge.payment_method_details!.card).toMatchObject({ brand, last4, funding });
  });

  it("a decline creates a failed charge with failure_code and failure_message; a retry adds a succeeded one", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 3_000, currency: "usd" });
    const err = await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclinedInsufficientFunds" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    const declined = await stripe.paymentIntents.retrieve(pi.id);
    expect(declined.latest_charge).toMatch(/^ch_/);
    const failed = await stripe.charges.retrieve(declined.latest_charge as string);
    expect(failed).toMatchObject({
      status: "failed",
      paid: false,
      captured: false,
      amount_captured: 0,
      balance_transaction: null,
      failure_code: "card_declined",
      failure_message: "Your card has insufficient funds.",
      outcome: { network_status: "declined_by_network", type: "issuer_declined", reason: "insufficient_funds" },
      payment_method_details: { card: { brand: "visa", last4: "9995" } },
    });
    expect(failed.receipt_url).toMatch(/\/receipts\/ch_/);

    const ok = await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_mastercard" });
    expect(ok.latest_charge).not.toBe(failed.id);
    const list = await stripe.charges.list({ payment_intent: pi.id });
    expect(list.data.map((c) => [c.id, c.status])).toEqual([
      [ok.latest_charge, "succeeded"],
      [failed.id, "failed"],
    ]);
    const page1 = await stripe.charges.list({ payment_intent: pi.id, limit: 1 });
    expect(page1.has_more).toBe(true);
    const page2 = await stripe.charges.list({ payment_intent: pi.id, limit: 1, starting_after: page1.data[0]!.id });
    expect(page2.data.map((c) => c.id)).toEqual([failed.id]);
    expect(page2.has_more).toBe(false);
    const back = await stripe.charges.list({ payment_intent: pi.id, limit: 1, ending_before: failed.id });
    expect(back.data.map((c) => c.id)).toEqual([ok.latest_charge]);

    const missing = await stripe.charges.retrieve("ch_unknown").catch((e: unknown) => e);
    expect((missing as Stripe.errors.StripeError).statusCode).toBe(404);
  });

  it("concurrent same-key confirms record one charge and one balance transaction", async () => {
    const { secretKey, merchantId } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 1_200, currency: "usd", payment_method: "pm_card_visa" });
    await Promise.allSettled(Array.from({ length: 10 }, () => stripe.paymentIntents.confirm(pi.id, {}, { idempotencyKey: "once" })));
    expect((await stripe.charges.list({ payment_intent: pi.id })).data).toHaveLength(1);
    const rows = await h.database.db.execute(sql`select count(*)::int as n from balance_transactions where merchant_id = ${merchantId}`);
    expect(Number((rows as unknown as { n: number }[])[0]!.n)).toBe(1);
  });
});

describe("balance transactions", () => {
  it("one per capture and refund, net = amount - fee with the PSP's fee, and they sum to the ledger", async () => {
    const { secretKey, merchantId } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 10_000, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 8_000 });
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1_500 });
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const chargeId = captured.latest_charge as string;
    const charge = await stripe.charges.retrieve(chargeId);
    expect(charge).toMatchObject({ amount: 10_000, amount_captured: 8_000, amount_refunded: 2_000, captured: true, refunded: false });

    const [chargeTxn] = (await stripe.balanceTransactions.list({ source: chargeId })).data;
    const fee = processingFee(8_000);
    expect(chargeTxn).toMatchObject({
      id: charge.balance_transaction,
      type: "charge",
      reporting_category: "charge",
      source: chargeId,
      amount: 8_000,
      fee,
      net: 8_000 - fee,
      status: "pending",
      fee_details: [{ amount: fee, currency: "usd", type: "stripe_fee" }],
    });
    expect(chargeTxn!.available_on - chargeTxn!.created).toBe(2 * 86_400);
    // The fee is the PSP's: its own balance transaction for the charge says the same.
    const pspCharge = await psp().charges.retrieve((charge as unknown as { payrail_psp_charge: string }).payrail_psp_charge, { expand: ["balance_transaction"] });
    expect((pspCharge.balance_transaction as Stripe.BalanceTransaction).fee).toBe(chargeTxn!.fee);

    const refunds = (await stripe.balanceTransactions.list({ type: "refund" })).data;
    expect(refunds.map((t) => [t.source, t.amount, t.fee, t.net, t.status])).toEqual([
      [r2.id, -500, 0, -500, "available"],
      [r1.id, -1_500, 0, -1_500, "available"],
    ]);
    expect(r1.balance_transaction).toBe(refunds[1]!.id);
    expect((await stripe.balanceTransactions.retrieve(r2.balance_transaction as string)).source).toBe(r2.id);

    const all = (await stripe.balanceTransactions.list({ limit: 100 })).data;
    expect(all).toHaveLength(3);
    const net = all.reduce((s, t) => s + t.net, 0);
    expect(net).toBe(8_000 - 2_000 - fee);
    // The ledger says the same: what we owe the merchant is -merchant_payable, the fee psp_fees.
    const balances = await h.database.db
      .select({ code: ledgerAccounts.code, total: sql<string>`sum(${ledgerLines.amount})::text` })
      .from(ledgerLines)
      .innerJoin(ledgerJournals, eq(ledgerJournals.id, ledgerLines.journalId))
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerLines.accountId))
      .where(eq(ledgerJournals.merchantId, merchantId))
      .groupBy(ledgerAccounts.code);
    const ledger = Object.fromEntries(balances.map((b) => [b.code, Number(b.total)]));
    expect(all.reduce((s, t) => s + t.amount, 0)).toBe(-ledger.merchant_payable!);
    expect(all.reduce((s, t) => s + t.fee, 0)).toBe(ledger.psp_fees);

    const p1 = await stripe.balanceTransactions.list({ limit: 2 });
    const p2 = await stripe.balanceTransactions.list({ limit: 2, starting_after: p1.data[1]!.id });
    expect([...p1.data, ...p2.data].map((t) => t.id)).toEqual(all.map((t) => t.id));
    expect(p2.has_more).toBe(false);
    const badType = await stripe.balanceTransactions.list({ type: "payout" }).catch((e: unknown) => e);
    expect((badType as Stripe.errors.StripeError).statusCode).toBe(400);
  });
});

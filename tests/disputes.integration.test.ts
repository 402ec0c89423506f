import { and, eq, inArray, like, sql } from "drizzle-orm";
import type { Runner } from "graphile-worker";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balanceTransactions, disputes, ledgerJournals, paymentIntents, pspEvents } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { startWorker } from "@/server/jobs/worker";
import { accountBalances, trialBalance } from "@/server/ledger";
import { findPaymentIntent } from "@/server/payments/repository";
import { IN_FLIGHT_STATUSES } from "@/server/payments/state-machine";
import { startApiServer } from "./api-server";
import { createHarness, type Harness } from "./harness";

/**
 * Disputes end to end: the simulator opens them (pm_card_createDispute or its control API), its
 * signed webhooks reach /api/webhooks/stripe, the worker applies them, and the merchant drives them
 * through the official stripe SDK against /v1/disputes.
 */
let h: Harness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let worker: Runner;
const SECRET = "whsec_disputes_test";

beforeAll(async () => {
  h = await createHarness();
  process.env.STRIPE_WEBHOOK_SECRET = SECRET;
  process.env.STRIPE_API_BASE = h.sim.url;
  process.env.STRIPE_SECRET_KEY = h.pspKey;
  resetEnvCache();
  api = await startApiServer();
  worker = await startWorker({ connectionString: process.env.DATABASE_URL!, ctx: h.ctx(), crontab: false });
  const res = await fetch(`${h.sim.url}/_sim/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: `${api.url}/api/webhooks/stripe`, secret: SECRET, apiKey: h.pspKey }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await h?.close();
});

async function merchant() {
  const { merchantId, secretKey } = await h.newMerchant();
  const stripe = new Stripe(secretKey, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });
  return { merchantId, stripe };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 25_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function control<T = Record<string, unknown>>(path: string, body: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${h.sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

/** The merchant's position: what we owe it net of fees (credit balance of merchant_payable less psp_fees). */
async function position(merchantId: string) {
  const b = new Map((await accountBalances(h.database.db, merchantId, "usd")).map((a) => [a.code, a.balance]));
  const payable = b.get("merchant_payable") ?? 0n;
  const fees = b.get("psp_fees") ?? 0n;
  return { payable, fees, net: -payable - fees, receivable: b.get("psp_receivable") ?? 0n };
}

async function disputeRow(merchantId: string, paymentIntentId: string) {
  const [row] = await h.database.db.select().from(disputes).where(and(eq(disputes.merchantId, merchantId), eq(disputes.paymentIntentId, paymentIntentId)));
  return row;
}

async function disputeEventTypes(stripe: Stripe, disputeId: string) {
  const list = await stripe.events.list({ type: "charge.dispute.*", limit: 100 });
  return list.data
    .filter((e) => (e.data.object as { id: string }).id === disputeId)
    .map((e) => e.type)
    .reverse();
}

/** What every test ends with: the ledger balances, one PSP charge per intent, nothing in flight. */
async function invariants(merchantId: string) {
  const tb = await trialBalance(h.database.db, { merchantId });
  expect(tb.balanced).toBe(true);
  expect(tb.currencies.every((c) => c.net === 0n)).toBe(true);
  expect((await h.stats()).duplicateChargeCount).toBe(0);
  const stuck = await h.database.db
    .select({ id: paymentIntents.id })
    .from(paymentIntents)
    .where(and(eq(paymentIntents.merchantId, merchantId), inArray(paymentIntents.status, [...IN_FLIGHT_STATUSES])));
  expect(stuck).toEqual([]);
}

describe("disputes end to end", () => {
  it("pm_card_createDispute: opened by webhook, evidence reaches the PSP, won; journals once despite duplicated and reordered webhooks", async () => {
    await h.faults({ webhooks: { duplicate: true, reorder: true } });
    try {
      const { merchantId, stripe } = await merchant();
      const before = await position(merchantId);
      const pi = await stripe.paymentIntents.create({ amount: 5_000, currency: "usd", payment_method: "pm_card_createDispute", confirm: true });
      expect(pi.status).toBe("succeeded");
      const captured = await position(merchantId);
      expect(captured.net - before.net).toBe(5_000n - 175n); // 2.9% + 30

      const row = await waitFor("the dispute's funds to be withdrawn", async () => {
        const r = await disputeRow(merchantId, pi.id);
        return r?.fundsWithdrawnAt ? r : undefined;
      });
      expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("disputed");
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("succeeded"); // Stripe shows disputed payments as succeeded
      const listed = await stripe.disputes.list({ payment_intent: pi.id });
      expect(listed.data).toHaveLength(1);
      const dp = listed.data[0]!;
      expect(dp).toMatchObject({ id: row.id, object: "dispute", amount: 5_000, currency: "usd", reason: "fraudulent", status: "needs_response", payment_intent: pi.id, charge: pi.latest_charge });
      expect(dp.evidence_details.due_by).toBeGreaterThan(Math.floor(Date.now() / 1000));
      expect(dp.balance_transactions.map((t) => [t.type, t.reporting_category, t.amount, t.fee, t.net])).toEqual([["adjustment", "dispute", -5_000, 1_500, -6_500]]);
      expect((await stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);
      expect((await stripe.disputes.list({ charge: pi.latest_charge as string })).data.map((d) => d.id)).toEqual([dp.id]);

      // Withdrawal: the merchant's net position falls by the amount plus the dispute fee.
      const withdrawn = await position(merchantId);
      expect(withdrawn.net - captured.net).toBe(-6_500n);
      expect(withdrawn.payable - captured.payable).toBe(5_000n);
      expect(withdrawn.fees - captured.fees).toBe(1_500n);

      // Evidence goes to the PSP (persist -> call -> apply) and is kept on our record.
      const submitted = await stripe.disputes.update(dp.id, { evidence: { uncategorized_text: "Delivered and signed for", shipping_tracking_number: "1Z999AA1" }, metadata: { case: "c-42" } }, { idempotencyKey: `ev-${dp.id}` });
      expect(submitted).toMatchObject({ status: "under_review", metadata: { case: "c-42" }, evidence_details: { has_evidence: true, submission_count: 1 } });
      expect(submitted.evidence.uncategorized_text).toBe("Delivered and signed for");
      const replay = await stripe.disputes.update(dp.id, { evidence: { uncategorized_text: "Delivered and signed for", shipping_tracking_number: "1Z999AA1" }, metadata: { case: "c-42" } }, { idempotencyKey: `ev-${dp.id}` });
      expect(replay.evidence_details.submission_count).toBe(1);
      const atPsp = (await (await fetch(`${h.sim.url}/_sim/disputes/${row.pspDisputeId}`)).json()) as Stripe.Dispute;
      expect(atPsp.evidence).toMatchObject({ uncategorized_text: "Delivered and signed for", shipping_tracking_number: "1Z999AA1" });
      expect(atPsp.evidence_details.submission_count).toBe(1);
      const again = await stripe.disputes.update(dp.id, { evidence: { uncategorized_text: "more" } }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect((again as Stripe.errors.StripeError).code).toBe("dispute_unexpected_state");

      await control(`/_sim/disputes/${row.pspDisputeId}/decide`, { outcome: "won" });
      await waitFor("the payment to be captured again", async () => (await findPaymentIntent(h.database.db, merchantId, pi.id))!.status === "captured");
      const won = await waitFor("the dispute to be won", async () => {
        const d = await stripe.disputes.retrieve(dp.id);
        return d.status === "won" && d.balance_transactions.length === 2 ? d : undefined;
      });
      expect(won.balance_transactions.map((t) => [t.reporting_category, t.amount, t.fee, t.net])).toEqual([
        ["dispute", -5_000, 1_500, -6_500],
        ["dispute_reversal", 5_000, -1_500, 6_500],
      ]);
      const restored = await position(merchantId);
      expect(restored).toEqual(captured);

      // Every webhook arrived at least twice and out of order: each fact is booked and told once.
      await waitFor("the webhooks to settle", async () => (await h.stats()).webhooks.pending === 0);
      await waitFor("the inbox to drain", async () => {
        const open = await h.database.db.select({ id: pspEvents.id }).from(pspEvents).where(and(like(pspEvents.type, "charge.dispute.%"), sql`${pspEvents.processedAt} is null`));
        return open.length === 0;
      });
      expect((await h.stats()).webhooks.duplicated).toBeGreaterThan(0);
      const journals = await h.database.db.select({ reference: ledgerJournals.reference }).from(ledgerJournals).where(and(eq(ledgerJournals.merchantId, merchantId), like(ledgerJournals.reference, "dispute%")));
      expect(journals.map((j) => j.reference).sort()).toEqual([`dispute:${dp.id}`, `dispute_won:${dp.id}`]);
      const txns = await h.database.db.select({ id: balanceTransactions.id }).from(balanceTransactions).where(eq(balanceTransactions.sourceId, dp.id));
      expect(txns).toHaveLength(2);
      expect(await disputeEventTypes(stripe, dp.id)).toEqual([
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.updated",
        "charge.dispute.funds_reinstated",
        "charge.dispute.closed",
      ]);
      await invariants(merchantId);
    } finally {
      await h.faults({ webhooks: null });
    }
  });

  it("close accepts the loss: the dispute is lost, the payment refunded, the amount and fee stay withdrawn", async () => {
    const { merchantId, stripe } = await merchant();
    const pi = await stripe.paymentIntents.create({ amount: 2_000, currency: "usd", capture_method: "manual", payment_method: "pm_card_createDispute", confirm: true });
    await stripe.paymentIntents.capture(pi.id);
    const captured = await position(merchantId);
    const row = await waitFor("the dispute", async () => {
      const r = await disputeRow(merchantId, pi.id);
      return r?.fundsWithdrawnAt ? r : undefined;
    });
    const closed = await stripe.disputes.close(row.id);
    expect(closed.status).toBe("lost");
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("refunded");
    const atPsp = (await (await fetch(`${h.sim.url}/_sim/disputes/${row.pspDisputeId}`)).json()) as Stripe.Dispute;
    expect(atPsp.status).toBe("lost");
    const after = await position(merchantId);
    expect(after.net - captured.net).toBe(-3_500n);
    // The PSP's own closed webhook changes nothing more.
    await waitFor("the closed event", async () => (await disputeEventTypes(stripe, row.id)).includes("charge.dispute.closed"));
    await waitFor("the webhooks to settle", async () => (await h.stats()).webhooks.pending === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await disputeEventTypes(stripe, row.id)).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed"]);
    expect(await position(merchantId)).toEqual(after);
    const refused = await stripe.disputes.update(row.id, { evidence: { uncategorized_text: "too late" } }).catch((e: unknown) => e);
    expect((refused as Stripe.errors.StripeError).statusCode).toBe(400);
    await invariants(merchantId);
  });

  it("a dispute on a partially refunded payment disputes the remainder and, when won, returns it to partially_refunded", async () => {
    const { merchantId, stripe } = await merchant();
    const pi = await stripe.paymentIntents.create({ amount: 4_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await stripe.refunds.create({ payment_intent: pi.id, amount: 1_000 });
    const refunded = await position(merchantId);
    const local = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(local.status).toBe("partially_refunded");
    const opened = await control<Stripe.Dispute>("/_sim/disputes", { payment_intent: local.pspPaymentIntentId, reason: "product_not_received" });
    expect(opened.amount).toBe(3_000);
    const row = await waitFor("the dispute", async () => {
      const r = await disputeRow(merchantId, pi.id);
      return r?.fundsWithdrawnAt ? r : undefined;
    });
    expect(row).toMatchObject({ amount: 3_000n, reason: "product_not_received", status: "needs_response" });
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!.status).toBe("disputed");
    expect((await position(merchantId)).net - refunded.net).toBe(-4_500n);
    await control(`/_sim/disputes/${opened.id}/decide`, { outcome: "won" });
    await waitFor("the payment to be partially refunded again", async () => (await findPaymentIntent(h.database.db, merchantId, pi.id))!.status === "partially_refunded");
    expect(await position(merchantId)).toEqual(refunded);
    await invariants(merchantId);
  });

  it("a dispute event that arrives before its payment is committed is kept and retried, not applied", async () => {
    const { merchantId } = await merchant();
    // A PSP payment that names a Payrail payment we have not committed (its API response still in flight).
    const psp = new Stripe(h.pspKey, { host: "127.0.0.1", port: h.sim.port, protocol: "http", maxNetworkRetries: 0 });
    const early = await psp.paymentIntents.create({
      amount: 1_200,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
      metadata: { payrail_merchant: merchantId, payrail_payment_intent: "pi_not_committed_yet" },
    });
    const opened = await control<Stripe.Dispute>("/_sim/disputes", { payment_intent: early.id });
    const stored = await waitFor("the event to be tried", async () => {
      const [r] = await h.database.db.select().from(pspEvents).where(and(eq(pspEvents.objectId, opened.id), eq(pspEvents.type, "charge.dispute.created")));
      return r && r.attempts > 0 ? r : undefined;
    });
    expect(stored.processedAt).toBeNull();
    expect(stored.lastError).toMatch(/not committed yet/);
    expect(await h.database.db.select().from(disputes).where(eq(disputes.pspDisputeId, opened.id))).toEqual([]);
    await invariants(merchantId);
  });

  it("bad input is a Stripe-shaped 4xx that changes nothing", async () => {
    const { merchantId, stripe } = await merchant();
    const pi = await stripe.paymentIntents.create({ amount: 1_500, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const local = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    await control("/_sim/disputes", { payment_intent: local.pspPaymentIntentId });
    const row = await waitFor("the dispute", async () => disputeRow(merchantId, pi.id));
    const unknownField = await stripe.disputes.update(row.id, { evidence: { not_a_field: "x" } as Stripe.DisputeUpdateParams.Evidence }).catch((e: unknown) => e);
    expect(unknownField).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((unknownField as Stripe.errors.StripeError).statusCode).toBe(400);
    const missing = await stripe.disputes.retrieve("dp_does_not_exist").catch((e: unknown) => e);
    expect((missing as Stripe.errors.StripeError).statusCode).toBe(404);
    const cursor = await stripe.disputes.list({ starting_after: "dp_nope" }).catch((e: unknown) => e);
    expect((cursor as Stripe.errors.StripeError).statusCode).toBe(404);
    const other = await merchant();
    const foreign = await other.stripe.disputes.close(row.id).catch((e: unknown) => e);
    expect((foreign as Stripe.errors.StripeError).statusCode).toBe(404);
    expect(await disputeRow(merchantId, pi.id)).toMatchObject({ status: "needs_response", submissionCount: 0, evidence: {} });
    await invariants(merchantId);
  });
});

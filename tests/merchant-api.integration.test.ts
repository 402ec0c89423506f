import { and, eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, ledgerJournals, paymentIntents } from "@/db/schema";
import { trialBalance } from "@/server/ledger";
import { startApiHarness, type ApiServer } from "./api-harness";
import type { Harness } from "./harness";

let h: Harness;
let api: ApiServer;
let close: () => Promise<void>;

beforeAll(async () => {
  // The fault tests hang the PSP longer than this, and the route's SDK must not retry on its own,
  // so the request ends without an answer and the merchant's retry has to resume it.
  ({ h, api, close } = await startApiHarness({ DB_POOL_MAX: "20", PSP_TIMEOUT_MS: "300" }));
});
afterAll(() => close());

const sdk = (secretKey: string) =>
  new Stripe(secretKey, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });

async function post(secretKey: string, path: string, form: Record<string, string>, key?: string) {
  const res = await fetch(`${api.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/x-www-form-urlencoded", ...(key ? { "idempotency-key": key } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.text(), replayed: res.headers.get("idempotent-replayed") === "true" };
}

const pspIdOf = async (id: string) =>
  (await h.database.db.select({ psp: paymentIntents.pspPaymentIntentId }).from(paymentIntents).where(eq(paymentIntents.id, id)))[0]!.psp!;

const countRows = async (table: typeof events | typeof ledgerJournals, where: ReturnType<typeof and>) =>
  Number((await h.database.db.select({ n: sql<number>`count(*)::int` }).from(table).where(where))[0]!.n);

describe("merchant API driven by the official stripe SDK", () => {
  it("runs create -> confirm -> capture -> refund and lists with cursor pagination", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 2_500, currency: "usd", capture_method: "manual", metadata: { order: "o_1" } });
    expect(pi.status).toBe("requires_payment_method");
    expect(pi.metadata).toEqual({ order: "o_1" });
    const confirmed = await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    expect(confirmed.status).toBe("requires_capture");
    expect(confirmed.amount_capturable).toBe(2_500);
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 2_000 });
    expect(captured.status).toBe("succeeded");
    expect(captured.amount_received).toBe(2_000);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    expect(refund).toMatchObject({ object: "refund", amount: 500, status: "succeeded", payment_intent: pi.id });
    expect((await stripe.refunds.retrieve(refund.id)).amount).toBe(500);
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.id)).toEqual([refund.id]);

    for (let i = 0; i < 4; i++) await stripe.paymentIntents.create({ amount: 100 + i, currency: "usd" });
    const first = await stripe.paymentIntents.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = await stripe.paymentIntents.list({ limit: 2, starting_after: first.data[1]!.id });
    const third = await stripe.paymentIntents.list({ limit: 2, starting_after: second.data[1]!.id });
    const ids = [...first.data, ...second.data, ...third.data].map((p) => p.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.has_more).toBe(false);

    const evts = await stripe.events.list({ limit: 100 });
    expect(evts.data.map((e) => e.type)).toEqual(expect.arrayContaining(["payment_intent.created", "payment_intent.succeeded", "refund.created"]));
    expect((await stripe.events.retrieve(evts.data[0]!.id)).id).toBe(evts.data[0]!.id);
  });

  it("answers a decline as a StripeCardError with decline_code, and 404 for another merchant's id", async () => {
    const a = await h.newMerchant();
    const b = await h.newMerchant();
    const stripe = sdk(a.secretKey);
    const err = await stripe.paymentIntents
      .create({ amount: 700, currency: "usd", payment_method: "pm_card_chargeDeclined", confirm: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    const card = err as Stripe.errors.StripeCardError;
    expect(card.statusCode).toBe(402);
    expect(card.code).toBe("card_declined");
    expect(card.decline_code).toBe("generic_decline");
    const piId = card.payment_intent?.id;
    expect(piId).toMatch(/^pi_/);
    expect((await stripe.paymentIntents.retrieve(piId!)).status).toBe("requires_payment_method");

    const missing = await sdk(b.secretKey).paymentIntents.retrieve(piId!).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((missing as Stripe.errors.StripeError).statusCode).toBe(404);
    expect((missing as Stripe.errors.StripeError).code).toBe("resource_missing");
  });

  it("rejects bad keys with 401 and bad input with a 400 naming the parameter, storing nothing", async () => {
    const bad = await sdk("sk_test_not_a_real_key").paymentIntents.list().catch((e: unknown) => e);
    expect((bad as Stripe.errors.StripeError).statusCode).toBe(401);
    const { secretKey, merchantId } = await h.newMerchant();
    const r = await post(secretKey, "/v1/payment_intents", { amount: "12.50", currency: "usd" }, "k-bad");
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatchObject({ type: "invalid_request_error", param: "amount" });
    const r2 = await post(secretKey, "/v1/payment_intents", { currency: "usd" });
    expect(JSON.parse(r2.body).error).toMatchObject({ code: "parameter_missing", param: "amount" });
    expect(await countRows(events, and(eq(events.merchantId, merchantId)))).toBe(0);
  });

  it("updates amount before confirmation only, and serializes concurrent metadata updates", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const pi = await stripe.paymentIntents.create({ amount: 1_000, currency: "usd", capture_method: "manual" });
    expect((await stripe.paymentIntents.update(pi.id, { amount: 1_500, payment_method: "pm_card_visa" })).status).toBe("requires_confirmation");
    await Promise.all(Array.from({ length: 20 }, (_, i) => stripe.paymentIntents.update(pi.id, { metadata: { [`k${i}`]: String(i) } })));
    const withMeta = await stripe.paymentIntents.retrieve(pi.id);
    expect(Object.keys(withMeta.metadata)).toHaveLength(20);
    expect(withMeta.amount).toBe(1_500);
    await stripe.paymentIntents.confirm(pi.id);
    const late = await stripe.paymentIntents.update(pi.id, { amount: 5 }).catch((e: unknown) => e);
    expect((late as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((late as Stripe.errors.StripeError).code).toBe("payment_intent_unexpected_state");
    expect((await stripe.paymentIntents.update(pi.id, { description: "order 42" })).description).toBe("order 42");
  });

  it("3-D Secure: GET applies a completed challenge, confirm applies a failed one with the PSP's error", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const challenge = async (outcome: "success" | "fail") => {
      const pi = await stripe.paymentIntents.create({ amount: 1_800, currency: "usd", capture_method: "manual", payment_method: "pm_card_authenticationRequired" });
      const waiting = await stripe.paymentIntents.confirm(pi.id, { return_url: "https://shop.example/back" });
      expect(waiting.status).toBe("requires_action");
      const psp = await pspIdOf(pi.id);
      const res = await fetch(`${h.sim.url}/_sim/3ds/${psp}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome }) });
      expect(res.status).toBe(200);
      return pi.id;
    };
    const done = await challenge("success");
    expect(await stripe.paymentIntents.retrieve(done)).toMatchObject({ status: "requires_capture", amount_capturable: 1_800 });
    const failed = await challenge("fail");
    const err = await stripe.paymentIntents.confirm(failed, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    const after = await stripe.paymentIntents.retrieve(failed);
    expect(after.status).toBe("requires_payment_method");
    expect(after.last_payment_error?.code).toBe("payment_intent_authentication_failure");
  });

  it("accepts JSON bodies as well as form bodies", async () => {
    const { secretKey } = await h.newMerchant();
    const res = await fetch(`${api.url}/v1/payment_intents`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ amount: 1234, currency: "kwd", metadata: { a: "b" } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ amount: 1234, currency: "kwd", metadata: { a: "b" } });
  });
});

describe("idempotency", () => {
  it("replays the stored response byte for byte and rejects a different body under the same key", async () => {
    const { secretKey } = await h.newMerchant();
    const first = await post(secretKey, "/v1/payment_intents", { amount: "1000", currency: "usd" }, "order-1");
    const again = await post(secretKey, "/v1/payment_intents", { amount: "1000", currency: "usd" }, "order-1");
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.replayed).toBe(true);
    expect(first.replayed).toBe(false);
    const other = await post(secretKey, "/v1/payment_intents", { amount: "1001", currency: "usd" }, "order-1");
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body).error.type).toBe("idempotency_error");
    expect((await sdk(secretKey).paymentIntents.list()).data).toHaveLength(1);
  });

  it("replays a decline (402) under its key without calling the PSP again", async () => {
    const { secretKey } = await h.newMerchant();
    const pi = JSON.parse((await post(secretKey, "/v1/payment_intents", { amount: "800", currency: "usd" })).body);
    const before = (await h.stats()).chargesByMetadata[pi.id] ?? 0;
    const a = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_chargeDeclined" }, "decline-1");
    const b = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_chargeDeclined" }, "decline-1");
    expect(a.status).toBe(402);
    expect(b.body).toBe(a.body);
    expect(b.replayed).toBe(true);
    expect((await h.stats()).chargesByMetadata[pi.id] ?? 0).toBe(before);
  });

  it("50 concurrent identical confirms with one key: one authorization, one journal, one event", async () => {
    const { secretKey, merchantId } = await h.newMerchant();
    const pi = JSON.parse((await post(secretKey, "/v1/payment_intents", { amount: "4200", currency: "usd", capture_method: "manual" })).body);
    const form = { payment_method: "pm_card_visa" };
    const results = await Promise.all(Array.from({ length: 50 }, () => post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, form, "confirm-once")));
    const ok = results.filter((r) => r.status === 200);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok.length + conflicts.length).toBe(50);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(JSON.parse(r.body)).toMatchObject({ id: pi.id, status: "requires_capture" });
    expect(new Set(ok.map((r) => r.body)).size).toBe(1);
    for (const r of conflicts) expect(JSON.parse(r.body).error.code).toBe("idempotency_key_in_use");

    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
    expect(await countRows(ledgerJournals, and(eq(ledgerJournals.paymentIntentId, pi.id), eq(ledgerJournals.kind, "authorization")))).toBe(1);
    expect(await countRows(events, and(eq(events.objectId, pi.id), eq(events.type, "payment_intent.amount_capturable_updated")))).toBe(1);
    const replay = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, form, "confirm-once");
    expect(replay).toMatchObject({ status: 200, replayed: true, body: ok[0]!.body });
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });

  it("30 concurrent confirms of one intent with different keys: exactly one authorization", async () => {
    const { secretKey } = await h.newMerchant();
    const pi = JSON.parse((await post(secretKey, "/v1/payment_intents", { amount: "999", currency: "eur" })).body);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_visa" }, `k-${i}`)),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 400 || r.status === 409);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(29);
    for (const r of refused.filter((x) => x.status === 400)) expect(JSON.parse(r.body).error.code).toBe("payment_intent_unexpected_state");
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
  });

  it("a same-key retry after a PSP timeout resumes the recorded attempt and charges once", async () => {
    const { secretKey } = await h.newMerchant();
    const pi = JSON.parse((await post(secretKey, "/v1/payment_intents", { amount: "6100", currency: "usd", payment_method: "pm_card_visa" })).body);
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    const first = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, {}, "resume-me");
    await h.clearFaults();
    expect(first.status).toBe(502);
    expect(JSON.parse(first.body).error.code).toBe("psp_unavailable");
    const retry = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, {}, "resume-me");
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body).status).toBe("succeeded");
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
  });

  it("create-and-confirm interrupted by a PSP timeout: the same-key retry finds its intent, one intent and one charge", async () => {
    const { secretKey } = await h.newMerchant();
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    const form = { amount: "2500", currency: "usd", payment_method: "pm_card_visa", confirm: "true" };
    const first = await post(secretKey, "/v1/payment_intents", form, "checkout-77");
    await h.clearFaults();
    expect(first.status).toBe(502);
    const retry = await post(secretKey, "/v1/payment_intents", form, "checkout-77");
    expect(retry.status).toBe(200);
    const pi = JSON.parse(retry.body);
    expect(pi.status).toBe("succeeded");
    expect((await sdk(secretKey).paymentIntents.list()).data.map((p) => p.id)).toEqual([pi.id]);
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
  });

  it("a same-key retry after recovery already resolved the attempt answers with the resolved intent", async () => {
    const { secretKey } = await h.newMerchant();
    const pi = JSON.parse((await post(secretKey, "/v1/payment_intents", { amount: "900", currency: "usd", capture_method: "manual" })).body);
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    const first = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_visa" }, "late-retry");
    await h.clearFaults();
    expect(first.status).toBe(502);
    const { recoverStaleAttempts } = await import("@/server/payments/recovery");
    expect((await recoverStaleAttempts(h.ctx(), { olderThanMs: 0 })).resolved).toBeGreaterThanOrEqual(1);
    const retry = await post(secretKey, `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_visa" }, "late-retry");
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body).status).toBe("requires_capture");
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);
  });

  it("30 concurrent partial refunds with different keys never refund more than was captured", async () => {
    const { secretKey, merchantId } = await h.newMerchant();
    const pi = JSON.parse((await post(secretKey, "/v1/payment_intents", { amount: "1000", currency: "usd", payment_method: "pm_card_visa", confirm: "true" })).body);
    expect(pi.status).toBe("succeeded");
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(secretKey, "/v1/refunds", { payment_intent: pi.id, amount: "100" }, `refund-${i}`)),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(10);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(400);
      expect(["amount_too_large", "charge_already_refunded"]).toContain(JSON.parse(r.body).error.code);
    }
    const after = await sdk(secretKey).paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ amount_received: 1000, status: "succeeded" });
    expect((after as unknown as { amount_refunded: number }).amount_refunded).toBe(1000);
    expect((await trialBalance(h.database.db, { merchantId })).balanced).toBe(true);
  });
});

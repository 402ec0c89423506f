import { eq, sql } from "drizzle-orm";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerJournals, pspEvents } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { PSP_EVENT_HANDLERS } from "@/server/inbox/handlers";
import { startWorker } from "@/server/jobs/worker";
import { capturePaymentIntent, confirmPaymentIntent, createPaymentIntent } from "@/server/payments/orchestrator";
import { recoverStaleAttempts } from "@/server/payments/recovery";
import { findPaymentIntent } from "@/server/payments/repository";
import { findRefund } from "@/server/refunds/repository";
import { createRefund } from "@/server/refunds/service";
import { startApiServer } from "./api-server";
import { convergenceProblems, until } from "./converged";
import { createHarness, type Harness } from "./harness";

/**
 * Payrail converges with the PSP whatever its webhooks do: duplicated, reordered, delayed and
 * dropped by the simulator while payments run and some PSP answers are lost. The inbox worker
 * applies what arrives (retrieve, then the orchestrator's apply) and the recovery sweep the rest.
 */
let h: Harness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let worker: Runner;
const SECRET = "whsec_convergence";

const savedEnv = { ...process.env };

beforeAll(async () => {
  h = await createHarness();
  Object.assign(process.env, {
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_API_BASE: h.sim.url,
    STRIPE_SECRET_KEY: h.pspKey,
    // A call may run inside its request for PSP_TIMEOUT_MS per try: a short window keeps this test short.
    PSP_TIMEOUT_MS: "800",
    PSP_MAX_NETWORK_RETRIES: "0",
  });
  resetEnvCache();
  api = await startApiServer();
  const ctl = await fetch(`${h.sim.url}/_sim/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: `${api.url}/api/webhooks/stripe`, secret: SECRET, apiKey: h.pspKey }),
  });
  expect(ctl.status).toBe(200);
  worker = await startWorker({ connectionString: process.env.DATABASE_URL!, ctx: h.ctx({ timeoutMs: 800 }), crontab: false });
});
afterAll(async () => {
  // Events still waiting for a retry would occupy the next test file's worker: they end with this file.
  await h?.database.db.execute(
    sql`delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = 'psp_event')`,
  );
  await worker?.stop();
  await api?.close();
  await h?.close();
  // The next test file runs in this process: leave the environment as it was.
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  resetEnvCache();
});

const outcome = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));

describe("convergence under webhook faults", () => {
  it("duplicated, reordered, delayed and dropped webhooks plus lost PSP answers: state converges through webhooks and the sweep", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ timeoutMs: 800 });
    await h.faults({
      webhooks: { duplicate: true, reorder: true, drop: 0.3, delayMs: 80 },
      // The PSP commits, then the answer is lost: these calls stay in flight on our side.
      timeoutAfterCommit: { count: 4, path: "/v1/payment_intents", hangMs: 1_500 },
    });
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const manual = i % 2 === 0;
        const card = i % 5 === 4 ? "pm_card_chargeDeclined" : "pm_card_visa";
        const pi = await createPaymentIntent(ctx, merchantId, { amount: 1_000 + i, currency: i % 3 === 0 ? "eur" : "usd", capture_method: manual ? "manual" : "automatic", payment_method: card });
        ids.push(pi.id);
        const confirmed = await outcome(confirmPaymentIntent(ctx, merchantId, pi.id, {}));
        if (!confirmed.ok) return;
        if (manual && confirmed.v.status === "authorized") await outcome(capturePaymentIntent(ctx, merchantId, pi.id, { amount_to_capture: 900 }));
      }),
    );
    await h.faults({ timeoutAfterCommit: null });

    // Webhooks apply what they can; the sweep (as the worker's cron runs it) finishes the rest.
    const problems = await until(async () => convergenceProblems(h.database.db, merchantId, await h.stats()), {
      timeoutMs: 45_000,
      everyMs: 500,
      between: () => recoverStaleAttempts(ctx, { olderThanMs: 1_000, backoff: { baseMs: 100, capMs: 500 } }),
    });
    expect(problems).toEqual([]);
    const stats = await h.stats();
    expect(stats.webhooks.duplicated).toBeGreaterThan(0);
    expect(stats.webhooks.dropped).toBeGreaterThan(0);
    for (const id of ids) expect(stats.chargesByMetadata[id] ?? 0).toBeLessThanOrEqual(1);
    // Each stored event once, whatever the PSP sent twice.
    const [dups] = await h.database.db.execute<{ n: number }>(sql`select count(*)::int as n from (select event_id from psp_events group by psp, event_id having count(*) > 1) d`);
    expect(dups!.n).toBe(0);
    await h.clearFaults();
  });

  it("a duplicate or late event never moves an intent backwards nor books twice", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 2_500, currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: true });
    const captured = await capturePaymentIntent(ctx, merchantId, pi.id, {});
    expect(captured.status).toBe("captured");
    const journals = async () => (await h.database.db.select().from(ledgerJournals).where(eq(ledgerJournals.paymentIntentId, pi.id))).length;
    const before = await journals();
    const object = { id: pi.pspPaymentIntentId, object: "payment_intent", status: "requires_capture", metadata: { payrail_merchant: merchantId, payrail_payment_intent: pi.id } };
    // Events from before the capture, arriving now, some twice.
    for (const type of ["payment_intent.amount_capturable_updated", "payment_intent.requires_action", "charge.succeeded", "payment_intent.amount_capturable_updated", "payment_intent.canceled"]) {
      expect(await PSP_EVENT_HANDLERS[type]!(ctx, { type, object })).toBe("ignored");
    }
    const after = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
    expect(after).toMatchObject({ status: "captured", amountReceived: 2_500n, amountCapturable: 0n, version: captured.version });
    expect(await journals()).toBe(before);
  });

  it("an event before its object is retried; a refund the PSP completes later is booked from its refund.updated webhook alone", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    const early = PSP_EVENT_HANDLERS["refund.updated"]!(ctx, { type: "refund.updated", object: { id: "re_psp_x", object: "refund", metadata: { payrail_refund: "re_not_committed" } } });
    await expect(early).rejects.toThrow(/not committed yet/);

    const pi = await createPaymentIntent(ctx, merchantId, { amount: 4_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await h.faults({ refundsPending: { count: 1 } });
    const refund = await createRefund(ctx, merchantId, { payment_intent: pi.id, amount: 1_500 });
    expect(refund.status).toBe("pending");
    const decided = await fetch(`${h.sim.url}/_sim/refunds/${refund.pspRefundId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "succeeded" }),
    });
    expect(decided.status).toBe(200);
    // No sweep here: only the webhook (simulator -> route -> inbox -> worker) can complete it.
    const problems = await until(async () => {
      const r = (await findRefund(h.database.db, merchantId, refund.id))!;
      return r.status === "succeeded" ? convergenceProblems(h.database.db, merchantId, await h.stats()) : [`refund ${r.status}`];
    }, { timeoutMs: 20_000 });
    expect(problems).toEqual([]);
    expect((await findPaymentIntent(h.database.db, merchantId, pi.id))!).toMatchObject({ status: "partially_refunded", amountRefunded: 1_500n });
    const applied = await h.database.db.select().from(pspEvents).where(eq(pspEvents.objectId, refund.pspRefundId!));
    expect(applied.filter((e) => e.type === "refund.updated").every((e) => e.processedAt !== null)).toBe(true);
  });
});

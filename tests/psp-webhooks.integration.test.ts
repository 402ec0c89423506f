import { eq, sql } from "drizzle-orm";
import { runOnce } from "graphile-worker";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pspEvents } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { processPspEvent } from "@/server/inbox/process";
import { workerLogger } from "@/server/jobs/migrate";
import { startWorker, taskList } from "@/server/jobs/worker";
import { confirmPaymentIntent, createPaymentIntent } from "@/server/payments/orchestrator";
import { findPaymentIntent } from "@/server/payments/repository";
import { startApiServer } from "./api-server";
import { createHarness, type Harness } from "./harness";

let h: Harness;
let POST: (req: Request) => Promise<Response>;
const OLD = "whsec_old_rotating_out";
const NEW = "whsec_new_rotating_in";

beforeAll(async () => {
  h = await createHarness();
  process.env.STRIPE_WEBHOOK_SECRET = `${NEW}, ${OLD}`;
  process.env.STRIPE_API_BASE = h.sim.url;
  process.env.STRIPE_SECRET_KEY = h.pspKey;
  resetEnvCache();
  ({ POST } = await import("@/app/api/webhooks/stripe/route"));
});
afterAll(async () => {
  await h.close();
});

function eventBody(id: string, type = "payment_intent.succeeded", object: Record<string, unknown> = { id: `pi_${id}`, object: "payment_intent" }) {
  return JSON.stringify({ id, object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), data: { object }, livemode: false, type });
}

function send(body: string, signature: string | null) {
  return POST(new Request("http://app.test/api/webhooks/stripe", { method: "POST", headers: signature ? { "stripe-signature": signature } : {}, body }));
}

const sign = (payload: string, secret: string, timestamp?: number) => Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

const stored = (eventId: string) => h.database.db.select().from(pspEvents).where(eq(pspEvents.eventId, eventId));
const jobsFor = async (inboxId: string) =>
  Number(
    (
      await h.database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'psp_event' and j.payload->>'inboxId' = ${inboxId}`,
      )
    )[0]!.n,
  );

describe("inbound PSP webhooks", () => {
  it("stores a correctly signed event once (with both secrets of a rotation) and enqueues its processing once", async () => {
    const body = eventBody("evt_good_1");
    const first = await send(body, sign(body, NEW));
    expect(first.status).toBe(200);
    const again = await send(body, sign(body, OLD)); // the PSP retries, signed with the older secret
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ received: true, duplicate: true });
    const rows = await stored("evt_good_1");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ psp: "stripe", type: "payment_intent.succeeded", objectId: "pi_evt_good_1", rawBody: body, processedAt: null });
    expect(await jobsFor(rows[0]!.id)).toBe(1);
  });

  it("answers 400 and stores nothing for a bad signature, a stale timestamp, a missing header or a malformed body", async () => {
    const body = eventBody("evt_bad_1");
    expect((await send(body, sign(body, "whsec_someone_else"))).status).toBe(400);
    expect((await send(body, sign(body, NEW, Math.floor(Date.now() / 1000) - 301))).status).toBe(400);
    expect((await send(body, null)).status).toBe(400);
    expect((await send(`${body} tampered`, sign(body, NEW))).status).toBe(400);
    const malformed = "{not json";
    expect((await send(malformed, sign(malformed, NEW))).status).toBe(400);
    expect(await stored("evt_bad_1")).toEqual([]);
    const [{ n }] = (await h.database.db.execute<{ n: number }>(sql`select count(*)::int as n from psp_events where raw_body = ${malformed}`)) as unknown as [{ n: number }];
    expect(n).toBe(0);
  });

  it("a stored event of an unhandled type is marked processed-ignored by the worker", async () => {
    const body = eventBody("evt_ignored_1", "balance.available", { id: "bal_1", object: "balance" });
    expect((await send(body, sign(body, NEW))).status).toBe(200);
    await runOnce({ connectionString: process.env.DATABASE_URL!, taskList: taskList({ ctx: h.ctx() }), noHandleSignals: true, logger: workerLogger });
    const [row] = await stored("evt_ignored_1");
    expect(row).toMatchObject({ outcome: "ignored", attempts: 1 });
    expect(row!.processedAt).not.toBeNull();
  });

  it("an event naming a Payrail intent that is not committed yet fails, is recorded, and is retried", async () => {
    const { merchantId } = await h.newMerchant();
    const body = eventBody("evt_early_1", "payment_intent.succeeded", {
      id: "pi_psp_early",
      object: "payment_intent",
      metadata: { payrail_merchant: merchantId, payrail_payment_intent: "pi_not_yet_committed" },
    });
    expect((await send(body, sign(body, NEW))).status).toBe(200);
    const [row] = await stored("evt_early_1");
    await expect(processPspEvent(h.ctx(), row!.id)).rejects.toThrow(/not committed yet/);
    const [after] = await stored("evt_early_1");
    expect(after).toMatchObject({ processedAt: null, attempts: 1 });
    expect(after!.lastError).toMatch(/not committed yet/);
    // Not ours at all (no Payrail metadata): ignored rather than retried forever.
    const foreign = eventBody("evt_foreign_1", "payment_intent.succeeded", { id: "pi_other", object: "payment_intent", metadata: {} });
    await send(foreign, sign(foreign, NEW));
    const [f] = await stored("evt_foreign_1");
    expect(await processPspEvent(h.ctx(), f!.id)).toBe("ignored");
    expect(await processPspEvent(h.ctx(), f!.id)).toBe("already_processed");
  });
});

describe("PSP webhooks end to end: simulator -> route -> inbox -> worker -> apply", () => {
  it("a 3-D Secure payment completed at the PSP is applied from its webhooks alone, duplicates stored once", async () => {
    const api = await startApiServer();
    const worker = await startWorker({ connectionString: process.env.DATABASE_URL!, ctx: h.ctx(), crontab: false });
    try {
      const ctl = await fetch(`${h.sim.url}/_sim/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: `${api.url}/api/webhooks/stripe`, secret: OLD, apiKey: h.pspKey }),
      });
      expect(ctl.status).toBe(200);
      await h.faults({ webhooks: { duplicate: true } });
      const { merchantId } = await h.newMerchant();
      const ctx = h.ctx();
      const pi = await createPaymentIntent(ctx, merchantId, { amount: 3_100, currency: "usd", capture_method: "manual", payment_method: "pm_card_authenticationRequired" });
      const waiting = await confirmPaymentIntent(ctx, merchantId, pi.id, { return_url: "https://shop.example/return" });
      expect(waiting.status).toBe("requires_action");
      const res = await fetch(`${h.sim.url}/_sim/3ds/${waiting.pspPaymentIntentId}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${h.pspKey}` },
        body: JSON.stringify({ outcome: "success", apiKey: h.pspKey }),
      });
      expect(res.status).toBeLessThan(400);
      const end = Date.now() + 15_000;
      let status = waiting.status;
      while (status !== "authorized" && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await findPaymentIntent(h.database.db, merchantId, pi.id))!.status;
      }
      expect(status).toBe("authorized");
      const rows = await h.database.db.select().from(pspEvents).where(eq(pspEvents.objectId, waiting.pspPaymentIntentId!));
      const ids = rows.map((r) => r.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      // Whichever event of the payment (the intent's or its charge's) came first applied it.
      // (its outcome is recorded just after the apply commits).
      const appliedOne = async () =>
        (await h.database.db.select().from(pspEvents).where(sql`${pspEvents.rawBody} like ${`%${waiting.pspPaymentIntentId}%`}`)).some((r) => r.outcome === "applied");
      let applied = await appliedOne();
      while (!applied && Date.now() < end + 5_000) {
        await new Promise((r) => setTimeout(r, 100));
        applied = await appliedOne();
      }
      expect(applied).toBe(true);
      expect((await h.stats()).webhooks.duplicated).toBeGreaterThan(0);
    } finally {
      await h.clearFaults();
      await worker.stop();
      await api.close();
    }
  });
});

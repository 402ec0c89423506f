import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { asc, eq, sql } from "drizzle-orm";
import type { Runner } from "graphile-worker";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { listDeadJobs, replayDeadJobs } from "@/server/jobs/dead-letter";
import { startWorker } from "@/server/jobs/worker";
import { resendDelivery } from "@/server/webhooks/deliver";
import { startApiServer } from "./api-server";
import { createHarness, type Harness } from "./harness";

/** A merchant's receiver: verifies every delivery with the SDK, can be told to fail its next N requests. */
class Receiver {
  secret = "";
  failNext = 0;
  readonly received: { id: string; type: string; objectId: string; at: number }[] = [];
  rejectedSignatures = 0;
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let event: Stripe.Event;
        try {
          event = Stripe.webhooks.constructEvent(raw, String(req.headers["stripe-signature"]), this.secret);
        } catch {
          this.rejectedSignatures++;
          res.writeHead(400).end("bad signature");
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(503).end("try later");
          return;
        }
        const object = event.data.object as { id: string };
        this.received.push({ id: event.id, type: event.type, objectId: object.id, at: Date.now() });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }
  close = () => new Promise<void>((r) => this.server.close(() => r()));
  /** First-seen order of distinct event ids (a downstream receiver dedupes by event id). */
  distinct = () => [...new Map(this.received.map((e) => [e.id, e])).values()];
}

let h: Harness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let worker: Runner;

beforeAll(async () => {
  h = await createHarness();
  process.env.STRIPE_API_BASE = h.sim.url;
  process.env.STRIPE_SECRET_KEY = h.pspKey;
  process.env.WEBHOOK_ENCRYPTION_KEY = "ab".repeat(32);
  resetEnvCache();
  api = await startApiServer();
  worker = await startWorker({ connectionString: process.env.DATABASE_URL!, ctx: h.ctx(), deliveryTimeoutMs: 2_000 });
});
afterAll(async () => {
  await worker.stop();
  await api.close();
  await h.close();
});

const sdk = (secretKey: string) => new Stripe(secretKey, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const eventsOf = (objectId: string) =>
  h.database.db.select({ id: events.id, type: events.type }).from(events).where(eq(events.objectId, objectId)).orderBy(asc(events.createdAt), asc(events.id));

describe("webhook endpoints (Stripe-compatible API)", () => {
  it("creates, retrieves, updates, lists and deletes through the official SDK; the secret is shown once and sealed at rest", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const created = await stripe.webhookEndpoints.create({
      url: "https://example.test/hooks",
      enabled_events: ["payment_intent.succeeded", "charge.refunded"],
      description: "orders",
      metadata: { team: "billing" },
    });
    expect(created).toMatchObject({ object: "webhook_endpoint", status: "enabled", url: "https://example.test/hooks", description: "orders", metadata: { team: "billing" } });
    expect(created.enabled_events).toEqual(["payment_intent.succeeded", "charge.refunded"]);
    expect(created.secret).toMatch(/^whsec_/);

    const [stored] = await h.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(stored!.secretSealed.startsWith("gcm1:")).toBe(true);
    expect(stored!.secretSealed).not.toContain(created.secret!.slice(6));

    const fetched = await stripe.webhookEndpoints.retrieve(created.id);
    expect(fetched.secret).toBeUndefined();
    expect(fetched.enabled_events).toEqual(created.enabled_events);

    const updated = await stripe.webhookEndpoints.update(created.id, { disabled: true, enabled_events: ["*"], metadata: { team: "" , env: "prod" } });
    expect(updated).toMatchObject({ status: "disabled", enabled_events: ["*"], metadata: { env: "prod" } });

    const second = await stripe.webhookEndpoints.create({ url: "https://example.test/other", enabled_events: ["*"] });
    const list = await stripe.webhookEndpoints.list({ limit: 1 });
    expect(list.data.map((e) => e.id)).toEqual([second.id]);
    expect(list.has_more).toBe(true);
    const next = await stripe.webhookEndpoints.list({ limit: 1, starting_after: second.id });
    expect(next.data.map((e) => e.id)).toEqual([created.id]);

    const deleted = await stripe.webhookEndpoints.del(created.id);
    expect(deleted).toMatchObject({ id: created.id, deleted: true });
    await expect(stripe.webhookEndpoints.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([second.id]);

    await expect(stripe.webhookEndpoints.create({ url: "not a url", enabled_events: ["*"] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.webhookEndpoints.create({ url: "https://x.test", enabled_events: ["made.up" as "*"] })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("a retried create with the same Idempotency-Key returns the same endpoint and secret", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = sdk(secretKey);
    const a = await stripe.webhookEndpoints.create({ url: "https://example.test/a", enabled_events: ["*"] }, { idempotencyKey: "we-1" });
    const b = await stripe.webhookEndpoints.create({ url: "https://example.test/a", enabled_events: ["*"] }, { idempotencyKey: "we-1" });
    expect(b.id).toBe(a.id);
    expect(b.secret).toBe(a.secret);
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(1);
  });
});

describe("merchant webhook delivery", () => {
  it("delivers every event signed, in order per object, to a receiver that fails first and then recovers; every attempt is logged", async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      const { secretKey } = await h.newMerchant();
      const stripe = sdk(secretKey);
      const ep = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ["*"] });
      rx.secret = ep.secret!;
      // Subscribed to one type only: gets nothing else.
      const narrow = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ["refund.created"] });
      rx.failNext = 2;

      const pi = await stripe.paymentIntents.create({ amount: 4_200, currency: "eur", capture_method: "manual" });
      await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
      await stripe.paymentIntents.capture(pi.id);
      const expected = await eventsOf(pi.id);
      expect(expected.length).toBeGreaterThanOrEqual(3);

      await until("all events delivered", () => rx.distinct().length >= expected.length || undefined);
      expect(rx.distinct().map((e) => e.id)).toEqual(expected.map((e) => e.id));
      expect(rx.rejectedSignatures).toBe(0);

      // The receiver has the last event before the worker records its 2xx: wait for the record.
      const recorded = () => h.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, ep.id)).orderBy(asc(webhookDeliveries.seq));
      await until("all deliveries recorded", async () => ((await recorded()).every((d) => d.status === "succeeded") ? true : undefined));
      const deliveries = await recorded();
      expect(deliveries.map((d) => d.status)).toEqual(expected.map(() => "succeeded"));
      expect(await h.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, narrow.id))).toEqual([]);
      const attempts = await h.database.db.select().from(webhookDeliveryAttempts).where(eq(webhookDeliveryAttempts.deliveryId, deliveries[0]!.id)).orderBy(asc(webhookDeliveryAttempts.id));
      expect(attempts.map((a) => a.httpStatus)).toEqual([503, 503, 200]);
      expect(attempts[0]!.responseSnippet).toBe("try later");
      expect(attempts.every((a) => a.latencyMs >= 0)).toBe(true);
    } finally {
      await rx.close();
    }
  });

  it("a healthy endpoint receives an event within 2 seconds of the change", async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      const { secretKey } = await h.newMerchant();
      const stripe = sdk(secretKey);
      rx.secret = (await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ["payment_intent.created"] })).secret!;
      const lags: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = Date.now();
        const pi = await stripe.paymentIntents.create({ amount: 1_000 + i, currency: "usd" });
        const got = await until("delivery", () => rx.received.find((e) => e.objectId === pi.id), 5_000);
        lags.push(got.at - before);
      }
      console.log(`[webhooks] change -> delivery lag ms: ${lags.join(", ")}`);
      expect(Math.max(...lags)).toBeLessThan(2_000);
    } finally {
      await rx.close();
    }
  });

  it("resends a delivery by hand and logs it as a manual attempt", async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      const { secretKey } = await h.newMerchant();
      const stripe = sdk(secretKey);
      rx.secret = (await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ["payment_intent.created"] })).secret!;
      const pi = await stripe.paymentIntents.create({ amount: 700, currency: "usd" });
      await until("first delivery", () => rx.received.length === 1 || undefined);
      const [d] = await h.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.objectId, pi.id));
      const r = await resendDelivery(h.database.db, d!.id);
      expect(r).toMatchObject({ ok: true, httpStatus: 200 });
      expect(rx.received.map((e) => e.objectId)).toEqual([pi.id, pi.id]);
      expect(rx.distinct()).toHaveLength(1);
      const attempts = await h.database.db.select().from(webhookDeliveryAttempts).where(eq(webhookDeliveryAttempts.deliveryId, d!.id)).orderBy(asc(webhookDeliveryAttempts.id));
      expect(attempts.map((a) => a.manual)).toEqual([false, true]);
    } finally {
      await rx.close();
    }
  });

  it("a delivery job that exhausts its attempts is dead-lettered; replay delivers it once the receiver recovers", async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      const { secretKey } = await h.newMerchant();
      const stripe = sdk(secretKey);
      const ep = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ["payment_intent.created"] });
      rx.secret = ep.secret!;
      rx.failNext = 1_000;
      const pi = await stripe.paymentIntents.create({ amount: 900, currency: "usd" });
      const [d] = await until("a failed attempt", async () => {
        const rows = await h.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.objectId, pi.id));
        return rows[0] && rows[0].attempts >= 1 ? rows : undefined;
      });
      // Skip the long backoff: the next run is the job's last attempt (graphile's own reschedule).
      await h.database.db.execute(
        sql`select graphile_worker.reschedule_jobs(array(select id from graphile_worker._private_jobs where key = ${`whd:${ep.id}:${pi.id}`}), run_at := now(), attempts := 20)`,
      );
      const dead = await until("dead-lettered job", async () => (await listDeadJobs(h.database.db, { task: "webhooks_deliver" })).find((j) => j.key === `whd:${ep.id}:${pi.id}`));
      expect(dead.lastError).toContain("503");
      const [failed] = await h.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d!.id));
      expect(failed!.status).toBe("failed");

      rx.failNext = 0;
      expect(await replayDeadJobs(h.database.db, [dead.id])).toBe(1);
      await until("delivered after replay", () => rx.received.find((e) => e.objectId === pi.id));
      const [done] = await until("status succeeded", async () => {
        const rows = await h.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d!.id));
        return rows[0]?.status === "succeeded" ? rows : undefined;
      });
      expect(done!.deliveredAt).not.toBeNull();
      expect((await listDeadJobs(h.database.db)).find((j) => j.id === dead.id)).toBeUndefined();
      expect(rx.distinct().map((e) => e.objectId)).toEqual([pi.id]);
    } finally {
      await rx.close();
    }
  });
});

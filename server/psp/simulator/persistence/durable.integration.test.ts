import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../server";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "sim-store-"));
  dirs.push(d);
  return d;
}

const newKey = () => `sk_test_${randomUUID().replace(/-/g, "")}`;
const client = (key: string, port: number) => new Stripe(key, { host: "127.0.0.1", port, protocol: "http", maxNetworkRetries: 0, telemetry: false });
const replayed = (r: { lastResponse: { headers: Record<string, string> } }) => r.lastResponse.headers["idempotent-replayed"] === "true";

async function stats(url: string, key: string): Promise<{ captures: number; refunds: number; chargesByMetadata: Record<string, number>; duplicateChargeCount: number }> {
  return (await (await fetch(`${url}/_sim/stats?apiKey=${key}`)).json()) as never;
}

describe("the simulator remembers across a restart", () => {
  it("keeps intents, charges, refunds, balance transactions, events, payment methods and answered idempotency keys", async () => {
    const dir = newDir();
    const key = newKey();
    let sim: RunningSimulator = await startSimulator({ port: 0, store: { dir } });
    let stripe = client(key, sim.port);
    const pm = await stripe.paymentMethods.create({ type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2040, cvc: "123" } });
    const created = await stripe.paymentIntents.create(
      { amount: 2_000, currency: "usd", payment_method: "pm_card_visa", capture_method: "manual", confirm: true, metadata: { payrail_payment_intent: "pay_1" } },
      { idempotencyKey: "k-create" },
    );
    expect(created.status).toBe("requires_capture");
    const captured = await stripe.paymentIntents.capture(created.id, {}, { idempotencyKey: "k-capture" });
    const refund = await stripe.refunds.create({ payment_intent: created.id, amount: 500 }, { idempotencyKey: "k-refund" });
    const chargeId = captured.latest_charge as string;
    const before = await stripe.balanceTransactions.list({ limit: 100 });
    await sim.close();

    sim = await startSimulator({ port: 0, store: { dir } });
    stripe = client(key, sim.port);
    try {
      const pi = await stripe.paymentIntents.retrieve(created.id);
      expect(pi).toMatchObject({ status: "succeeded", amount_received: 2_000, latest_charge: chargeId, metadata: { payrail_payment_intent: "pay_1" } });
      const charge = await stripe.charges.retrieve(chargeId);
      expect(charge).toMatchObject({ captured: true, amount_captured: 2_000, amount_refunded: 500 });
      expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ status: "succeeded", amount: 500, charge: chargeId });
      const txns = await stripe.balanceTransactions.list({ limit: 100 });
      expect(txns.data.map((t) => [t.id, t.type, t.amount, t.fee])).toEqual(before.data.map((t) => [t.id, t.type, t.amount, t.fee]));
      expect(txns.data.map((t) => t.type).sort()).toEqual(["charge", "refund"]);
      const events = await stripe.events.list({ limit: 100 });
      expect(events.data.map((e) => e.type)).toContain("payment_intent.succeeded");
      expect(events.data.map((e) => e.type)).toContain("refund.created");

      // Same key, same call: the stored answer, not a second capture or refund.
      const again = await stripe.paymentIntents.capture(created.id, {}, { idempotencyKey: "k-capture" });
      expect(replayed(again)).toBe(true);
      expect(again.id).toBe(created.id);
      expect(again.latest_charge).toBe(chargeId);
      const refundAgain = await stripe.refunds.create({ payment_intent: created.id, amount: 500 }, { idempotencyKey: "k-refund" });
      expect(replayed(refundAgain)).toBe(true);
      expect(refundAgain.id).toBe(refund.id);
      expect((await stripe.charges.list({ payment_intent: created.id })).data).toHaveLength(1);
      expect((await stripe.refunds.list({ payment_intent: created.id })).data).toHaveLength(1);
      const s = await stats(sim.url, key);
      expect(s).toMatchObject({ captures: 1, refunds: 1, chargesByMetadata: { pay_1: 1 }, duplicateChargeCount: 0 });

      // New objects after the restart: fresh ids, newest first, and the tokenized card still pays.
      const next = await stripe.paymentIntents.create({ amount: 700, currency: "usd", payment_method: pm.id, confirm: true });
      expect(next.status).toBe("succeeded");
      expect([created.id, chargeId, refund.id, ...before.data.map((t) => t.id)]).not.toContain(next.id);
      expect(next.latest_charge).not.toBe(chargeId);
      expect(next.created).toBeGreaterThanOrEqual(created.created);
      expect((await stripe.paymentIntents.list({ limit: 10 })).data.map((p) => p.id)).toEqual([next.id, created.id]);
    } finally {
      await sim.close();
    }
  });
});

const ROOT = path.resolve(import.meta.dirname, "../../../..");

/** `npm run simulator` as a child process (node --import tsx, so a signal reaches the simulator itself). */
function startChild(dir: string): Promise<{ child: ChildProcess; url: string; port: number; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/psp/simulator/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, SIMULATOR_PORT: "0", SIMULATOR_STORE: dir, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(t);
        resolve({ child, url: m[1]!, port: Number(new URL(m[1]!).port), output: () => out });
      }
    }, 20);
    child.once("exit", (code) => {
      clearInterval(t);
      reject(new Error(`simulator exited (${code}) before listening: ${out}`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });

describe("a simulator process that dies", () => {
  it("killed with SIGKILL mid-burst: every answered call is found after the restart, retries replay, no intent is charged twice", async () => {
    const dir = newDir();
    const key = newKey();
    const first = await startChild(dir);
    const stripe = client(key, first.port);
    const answered: { key: string; id: string; charge: string }[] = [];
    const unanswered: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const k = `burst-${w}-${i}`;
        try {
          const pi = await stripe.paymentIntents.create(
            { amount: 1_000 + w, currency: "usd", payment_method: "pm_card_visa", confirm: true, metadata: { payrail_payment_intent: k } },
            { idempotencyKey: k },
          );
          answered.push({ key: k, id: pi.id, charge: pi.latest_charge as string });
        } catch {
          unanswered.push(k); // in flight when the process died
          return;
        }
      }
    };
    const burst = Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)));
    while (answered.length < 60) await new Promise((r) => setTimeout(r, 10));
    first.child.kill("SIGKILL");
    stop = true;
    await burst;
    expect((await exited(first.child)).signal).toBe("SIGKILL");
    expect(answered.length).toBeGreaterThanOrEqual(60);

    const second = await startChild(dir); // the dead process's lock is taken over
    const after = client(key, second.port);
    try {
      for (const a of answered) {
        const pi = await after.paymentIntents.retrieve(a.id);
        expect(pi).toMatchObject({ status: "succeeded", latest_charge: a.charge });
      }
      // Retrying every call with its key: answered ones replay, the cut-off ones run at most once.
      const sample = answered.slice(-20);
      for (const a of sample) {
        const again = await after.paymentIntents.create(
          { amount: Number(a.key.split("-")[1]) + 1_000, currency: "usd", payment_method: "pm_card_visa", confirm: true, metadata: { payrail_payment_intent: a.key } },
          { idempotencyKey: a.key },
        );
        expect(replayed(again)).toBe(true);
        expect(again.id).toBe(a.id);
      }
      for (const k of unanswered) {
        const again = await after.paymentIntents.create(
          { amount: Number(k.split("-")[1]) + 1_000, currency: "usd", payment_method: "pm_card_visa", confirm: true, metadata: { payrail_payment_intent: k } },
          { idempotencyKey: k },
        );
        expect(again.status).toBe("succeeded");
      }
      const s = await stats(second.url, key);
      expect(s.duplicateChargeCount).toBe(0);
      for (const a of answered) expect(s.chargesByMetadata[a.key]).toBe(1);
      const txns = await after.balanceTransactions.list({ limit: 100, type: "charge" });
      expect(txns.data.length).toBeGreaterThanOrEqual(Math.min(100, answered.length));

      const fresh = await after.paymentIntents.create({ amount: 999, currency: "usd", payment_method: "pm_card_visa", confirm: true });
      expect(answered.map((a) => a.id)).not.toContain(fresh.id);
      expect(answered.map((a) => a.charge)).not.toContain(fresh.latest_charge);
    } finally {
      second.child.kill("SIGTERM");
    }
    // SIGTERM: a clean exit that releases the folder.
    expect(await exited(second.child)).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain("SIGTERM, shutting down");
    expect(existsSync(path.join(dir, "LOCK"))).toBe(false);
  });
});

import { sql } from "drizzle-orm";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/server/env";
import { startWorker } from "@/server/jobs/worker";
import { recoverStaleAttempts } from "@/server/payments/recovery";
import { findPaymentIntent, findPendingAttempt } from "@/server/payments/repository";
import { startApiServer } from "./api-server";
import { convergenceProblems, until } from "./converged";
import { createHarness, type Harness } from "./harness";

/**
 * A crash between the PSP's success and our commit: the API runs as its own process with the test
 * hook PAYRAIL_TEST_CRASH_AFTER_PSP, dies right after the PSP charged, and is started again. The
 * PSP's webhooks (received by another instance) or the recovery sweep then resolve the payment:
 * one charge, the right status, the ledger booked once.
 */
let h: Harness;
let hook: Awaited<ReturnType<typeof startApiServer>>;
let worker: Runner;
const SECRET = "whsec_crash";
const children = new Set<ChildProcess>();

const savedEnv = { ...process.env };

beforeAll(async () => {
  h = await createHarness();
  Object.assign(process.env, { STRIPE_WEBHOOK_SECRET: SECRET, STRIPE_API_BASE: h.sim.url, STRIPE_SECRET_KEY: h.pspKey, PSP_TIMEOUT_MS: "800", PSP_MAX_NETWORK_RETRIES: "0" });
  resetEnvCache();
  hook = await startApiServer(); // the instance that keeps receiving the PSP's webhooks
  worker = await startWorker({ connectionString: process.env.DATABASE_URL!, ctx: h.ctx({ timeoutMs: 800 }), crontab: false });
});
afterAll(async () => {
  // Events still waiting for a retry would occupy the next test file's worker: they end with this file.
  await h?.database.db.execute(
    sql`delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = 'psp_event')`,
  );
  for (const c of children) c.kill("SIGKILL");
  await worker?.stop();
  await hook?.close();
  await h?.close();
  // The next test file runs in this process: leave the environment as it was.
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  resetEnvCache();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts the API process; resolves once it listens. */
function startApi(port: number, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/api-server-main.ts", String(port)], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: process.env.DATABASE_URL!,
      STRIPE_API_BASE: h.sim.url,
      STRIPE_SECRET_KEY: h.pspKey,
      PSP_TIMEOUT_MS: "2000",
      PSP_MAX_NETWORK_RETRIES: "0",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("API process did not start in 30 s")), 30_000);
    child.stdout!.on("data", (b: Buffer) => {
      if (b.toString().includes("ready ")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`API process exited early (${code})`));
    });
  });
}

const exited = (c: ChildProcess) => new Promise<NodeJS.Signals | number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.signalCode ?? c.exitCode) : c.once("exit", (code, sig) => r(sig ?? code))));

async function post(port: number, path: string, key: string, body: Record<string, string>, idempotencyKey: string) {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded", "idempotency-key": idempotencyKey },
    body: new URLSearchParams(body).toString(),
  });
}

async function setWebhookUrl(url: string) {
  const res = await fetch(`${h.sim.url}/_sim/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url, secret: SECRET, apiKey: h.pspKey }),
  });
  expect(res.status).toBe(200);
}

describe("a crash between the PSP's success and our commit", () => {
  it.each([
    ["webhooks", true],
    ["the recovery sweep", false],
  ])("the authorization is resolved by %s after a restart: one charge, the intent authorized, the hold booked once", async (_, webhooks) => {
    const { merchantId, secretKey } = await h.newMerchant();
    const port = await freePort();
    // Without webhooks they go nowhere (refused connections), so only the sweep can resolve it.
    await setWebhookUrl(webhooks ? `${hook.url}/api/webhooks/stripe` : "http://127.0.0.1:9/unreachable");
    const crashing = await startApi(port, { PAYRAIL_TEST_CRASH_AFTER_PSP: "authorize" });
    const key = `crash-${Date.now()}-${webhooks}`;
    const body = { amount: "3100", currency: "usd", capture_method: "manual", payment_method: "pm_card_visa", confirm: "true" };
    await expect(post(port, "/v1/payment_intents", secretKey, body, key)).rejects.toThrow();
    expect(await exited(crashing)).toBe("SIGKILL");

    // The PSP charged; we recorded only the attempt.
    const [row] = await h.database.db.execute<{ id: string }>(
      (await import("drizzle-orm")).sql`select id from payment_intents where merchant_id = ${merchantId}`,
    );
    const id = row!.id;
    expect((await findPaymentIntent(h.database.db, merchantId, id))!.status).toBe("authorizing");
    expect(await findPendingAttempt(h.database.db, id, "authorize")).toBeDefined();
    expect((await h.stats()).chargesByMetadata[id]).toBe(1);

    const restarted = await startApi(port);
    try {
      const ctx = h.ctx();
      const problems = await until(async () => convergenceProblems(h.database.db, merchantId, await h.stats()), {
        timeoutMs: 30_000,
        everyMs: 250,
        between: webhooks ? undefined : () => recoverStaleAttempts(ctx, { olderThanMs: 0 }),
      });
      expect(problems).toEqual([]);
      const pi = (await findPaymentIntent(h.database.db, merchantId, id))!;
      expect(pi).toMatchObject({ status: "authorized", amountCapturable: 3_100n });
      expect(pi.pspPaymentIntentId).toMatch(/^pi_/);
      // The merchant sees the outcome on the restarted API; a retry with the crashed request's key is
      // refused while its holder is presumed alive (STALE_LOCK_MS), never run a second time.
      const got = await fetch(`http://127.0.0.1:${port}/v1/payment_intents/${id}`, { headers: { authorization: `Bearer ${secretKey}` } });
      expect(await got.json()).toMatchObject({ id, status: "requires_capture", amount_capturable: 3100 });
      const retried = await post(port, "/v1/payment_intents", secretKey, body, key);
      expect(retried.status).toBe(409);
      expect((await h.stats()).chargesByMetadata[id]).toBe(1);
      // And the capture made after the crash completes normally.
      const cap = await post(port, `/v1/payment_intents/${id}/capture`, secretKey, {}, `${key}-capture`);
      expect(cap.status).toBe(200);
      expect(await convergenceProblems(h.database.db, merchantId, await h.stats())).toEqual([]);
    } finally {
      restarted.kill("SIGTERM");
      await exited(restarted);
    }
  });
});

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { paymentAttempts } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import { createMerchant } from "@/server/merchants/service";
import { startSimulator, type RunningSimulator } from "@/server/psp/simulator/server";
import { StripeAdapter } from "@/server/psp/stripe/adapter";
import { createStripeClient } from "@/server/psp/stripe/client";
import { rejectionOf } from "@/tests/rejection";
import type { PaymentsContext } from "./context";
import { confirmPaymentIntent, createPaymentIntent } from "./orchestrator";
import { recoverStaleAttempts } from "./recovery";
import { findPaymentIntent } from "./repository";

// Its own database: the sweep below looks at every pending attempt, and other files' leftovers
// belong to other simulators.
const base = (process.env.TEST_DATABASE_BASE_URL ?? "postgres://postgres@127.0.0.1:5432").replace(/\/$/, "");
const dbName = `payrail_simrestart_${process.pid}_${Date.now().toString(36)}`;
let database: Database;
let dir: string;
beforeAll(async () => {
  await migrateDatabase(`${base}/${dbName}`);
  database = createDatabase(`${base}/${dbName}`, { max: 5 });
  dir = mkdtempSync(path.join(tmpdir(), "sim-recovery-"));
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  const postgres = (await import("postgres")).default;
  const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
  await admin.end();
});

describe("recovery against a simulator that restarted", () => {
  it("an attempt left pending when the PSP went down is resolved after the PSP's restart: one charge, captured, ledger balanced", async () => {
    const pspKey = `sk_test_r${randomBytes(8).toString("hex")}`;
    let sim: RunningSimulator = await startSimulator({ port: 0, store: { dir } });
    const port = sim.port;
    const ctx: PaymentsContext = {
      db: database.db,
      psp: new StripeAdapter(createStripeClient({ secretKey: pspKey, apiBase: sim.url, maxNetworkRetries: 0, timeoutMs: 2_000 })),
    };
    const { merchantId } = await createMerchant(database.db, { name: "Restart shop" });
    const pi = await createPaymentIntent(ctx, merchantId, { amount: 3_300, currency: "usd", payment_method: "pm_card_visa" });

    // The PSP charges and holds the answer; its process stops before answering (nothing reachable to re-check).
    const fault = await fetch(`${sim.url}/_sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiKey: pspKey, timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 30_000 } }),
    });
    expect(fault.ok).toBe(true);
    const confirming = rejectionOf(confirmPaymentIntent(ctx, merchantId, pi.id, {}), DomainError);
    for (let i = 0; i < 100; i++) {
      const s = (await (await fetch(`${sim.url}/_sim/stats?apiKey=${pspKey}`)).json()) as { captures: number };
      if (s.captures === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await sim.close();
    expect((await confirming).code).toBe("psp_unavailable");
    expect((await findPaymentIntent(database.db, merchantId, pi.id))!.status).toBe("authorizing");

    // Same address, same data folder, no fault any more.
    sim = await startSimulator({ port, store: { dir } });
    try {
      const report = await recoverStaleAttempts(ctx, { olderThanMs: 0, requiresActionOlderThanMs: 0 });
      expect(report.examined).toBeGreaterThanOrEqual(1);
      const after = (await findPaymentIntent(database.db, merchantId, pi.id))!;
      expect(after.status).toBe("captured");
      const attempts = await database.db.select().from(paymentAttempts).where(eq(paymentAttempts.paymentIntentId, pi.id));
      expect(attempts.every((a) => a.status !== "pending")).toBe(true);
      const stats = (await (await fetch(`${sim.url}/_sim/stats?apiKey=${pspKey}`)).json()) as { chargesByMetadata: Record<string, number>; captures: number };
      expect(stats.chargesByMetadata[pi.id]).toBe(1);
      expect(stats.captures).toBe(1);
      expect((await paymentLedgerTotals(database.db, merchantId, pi.id)).captured).toBe(3_300n);
      expect((await trialBalance(database.db, { merchantId })).balanced).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

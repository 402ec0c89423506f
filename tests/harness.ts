import { randomBytes } from "node:crypto";
import { createDatabase, type Database } from "@/db/client";
import { createMerchant } from "@/server/merchants/service";
import type { PaymentsContext } from "@/server/payments/context";
import { startSimulator, type RunningSimulator } from "@/server/psp/simulator/server";
import type { StatsJson } from "@/server/psp/simulator/stats";
import { StripeAdapter } from "@/server/psp/stripe/adapter";
import { createStripeClient } from "@/server/psp/stripe/client";

/**
 * Real PostgreSQL (the per-run database from global setup) and a real simulator over HTTP.
 * Each harness uses its own PSP API key, so simulator faults and stats are scoped to it.
 */
export interface Harness {
  database: Database;
  sim: RunningSimulator;
  pspKey: string;
  ctx: (opts?: { maxNetworkRetries?: number; timeoutMs?: number }) => PaymentsContext;
  newMerchant: () => Promise<{ merchantId: string; secretKey: string }>;
  faults: (body: Record<string, unknown>) => Promise<void>;
  clearFaults: () => Promise<void>;
  stats: () => Promise<SimStats>;
  close: () => Promise<void>;
}

export type SimStats = StatsJson;

export async function createHarness(opts: { webhookUrl?: string } = {}): Promise<Harness> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run through the integration project (global setup)");
  const database = createDatabase(url, { max: 20 });
  const sim = await startSimulator({ port: 0, webhookUrl: opts.webhookUrl, disputeDelayMs: 0 });
  const pspKey = `sk_test_h${randomBytes(8).toString("hex")}`;
  const control = (path: string, init?: RequestInit) => fetch(`${sim.url}${path}`, init);
  return {
    database,
    sim,
    pspKey,
    ctx: (o = {}) => ({
      db: database.db,
      psp: new StripeAdapter(
        createStripeClient({ secretKey: pspKey, apiBase: sim.url, maxNetworkRetries: o.maxNetworkRetries ?? 0, timeoutMs: o.timeoutMs ?? 5_000 }),
      ),
    }),
    newMerchant: () => createMerchant(database.db, { name: `Test ${randomBytes(3).toString("hex")}` }),
    faults: async (body) => {
      const res = await control("/_sim/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ apiKey: pspKey, ...body }) });
      if (!res.ok) throw new Error(`simulator fault rejected: ${res.status} ${await res.text()}`);
    },
    clearFaults: async () => {
      await control("/_sim/faults", { method: "DELETE" });
    },
    stats: async () => (await (await control(`/_sim/stats?apiKey=${pspKey}`)).json()) as SimStats,
    close: async () => {
      await sim.close();
      await database.close();
    },
  };
}

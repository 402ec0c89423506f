/**
 * Reconciles the PSP's balance transactions of a period with Payrail's records and prints
 * `matched=N repaired=N exceptions=N`.
 *
 *   npm run reconcile -- --from 2026-11-01 --to 2026-11-02 [--merchant acct_...]
 *
 * Database: DATABASE_URL, else the embedded cluster of a running `npm run dev` / `npm start`, else
 * postgres://postgres@127.0.0.1:5432/payrail. PSP: as the app finds it (STRIPE_SECRET_KEY for real
 * Stripe, STRIPE_API_BASE for a Stripe-compatible API), else the running launcher's simulator,
 * else the simulator at its default address.
 */
import { parseArgs } from "node:util";
import { createDatabase } from "../db/client";
import { env } from "../server/env";
import { DEFAULT_SIMULATOR_URL, SIMULATOR_SECRET_KEY } from "../server/psp";
import { StripeAdapter } from "../server/psp/stripe/adapter";
import { createStripeClient } from "../server/psp/stripe/client";
import { runReconciliation } from "../server/reconciliation";
import { resolveDatabaseUrl, runningPspUrl } from "./launcher/running-url";

const usage = "usage: npm run reconcile -- --from YYYY-MM-DD --to YYYY-MM-DD [--merchant acct_...]";

const options = { from: { type: "string" }, to: { type: "string" }, merchant: { type: "string" } } as const;
let args: ReturnType<typeof parseArgs<{ options: typeof options }>>["values"];
try {
  args = parseArgs({ options }).values;
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
  process.exit(2);
}
if (!args.from || !args.to) {
  console.error(usage);
  process.exit(2);
}

const e = env();
const apiBase = e.STRIPE_API_BASE ?? (e.STRIPE_SECRET_KEY ? undefined : (runningPspUrl() ?? DEFAULT_SIMULATOR_URL));
const psp = new StripeAdapter(
  createStripeClient({ secretKey: e.STRIPE_SECRET_KEY ?? SIMULATOR_SECRET_KEY, apiBase, timeoutMs: e.PSP_TIMEOUT_MS, maxNetworkRetries: e.PSP_MAX_NETWORK_RETRIES ?? 3 }),
);
const database = createDatabase(resolveDatabaseUrl(), { max: 4 });

let exitCode = 0;
try {
  const r = await runReconciliation({ db: database.db, psp }, { from: args.from, to: args.to, merchantId: args.merchant ?? null });
  console.log(`matched=${r.matched} repaired=${r.repaired} exceptions=${r.exceptions}`);
} catch (err) {
  // drizzle wraps driver errors ("Failed query: ..."); the cause says what went wrong.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  console.error(`reconciliation failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);

/**
 * Scale check of reconciliation (not part of the test suite): a simulator in its own process serves
 * N synthetic balance-report lines (seeded through its control API), the database holds the N
 * matching captures (seeded with SQL), and one reconciliation run streams and matches them. Runs
 * sizes in increasing order in one process and prints, per size, the time and the peak RSS and heap
 * of this process during the run: with streaming and batching they must not grow with N.
 *
 *   npx tsx bench/reconcile.ts            (BENCH_RECON_SIZES=10000,100000; DATABASE_URL optional)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createDatabase } from "../db/client";
import { ensureAccounts } from "../server/ledger";
import { processingFee } from "../server/psp/simulator/fees";
import { StripeAdapter } from "../server/psp/stripe/adapter";
import { createStripeClient } from "../server/psp/stripe/client";
import { runReconciliation } from "../server/reconciliation";
import { setupDatabase } from "./db";

const sizes = (process.env.BENCH_RECON_SIZES ?? "10000,100000").split(",").map(Number).filter((n) => n > 0);
const AMOUNT = 1000;
const FEE = processingFee(AMOUNT);
const log = (m: string) => console.log(m);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function startSimulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn("npx", ["tsx", "server/psp/simulator/main.ts"], {
    // The simulator holds the whole report in memory; a heap limit set for the bench (NODE_OPTIONS) is not for it.
    env: { ...process.env, NODE_OPTIONS: "", SIMULATOR_PORT: "0", SIMULATOR_STORE: "memory" },
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`simulator exited (${code}) before listening`)));
  });
}

async function seedOurSide(database: ReturnType<typeof createDatabase>, merchantId: string, prefix: string, n: number): Promise<void> {
  const acc = await ensureAccounts(database.db, merchantId, "usd", ["psp_receivable", "psp_fees", "merchant_payable"]);
  const recv = String(acc.get("psp_receivable")!);
  const fees = String(acc.get("psp_fees")!);
  const payable = String(acc.get("merchant_payable")!);
  const tag = `${merchantId}_`;
  await database.sql.begin(async (tx) => {
    await tx`insert into payment_intents (id, merchant_id, amount, currency, status, capture_method, amount_received)
             select 'pi_' || ${tag} || i, ${merchantId}, ${AMOUNT}, 'usd', 'captured', 'automatic', ${AMOUNT} from generate_series(0, ${n - 1}) i`;
    await tx`insert into payment_attempts (id, merchant_id, payment_intent_id, kind, status, amount, currency, psp_idempotency_key)
             select 'pa_' || ${tag} || i, ${merchantId}, 'pi_' || ${tag} || i, 'authorize', 'succeeded', ${AMOUNT}, 'usd', 'bench_' || ${tag} || i
               from generate_series(0, ${n - 1}) i`;
    await tx`insert into charges (id, merchant_id, payment_intent_id, attempt_id, status, amount, amount_captured, currency, captured, psp_charge_id, balance_transaction_id)
             select 'ch_' || ${tag} || i, ${merchantId}, 'pi_' || ${tag} || i, 'pa_' || ${tag} || i, 'succeeded', ${AMOUNT}, ${AMOUNT}, 'usd', true,
                    ${prefix} || i, 'txn_' || ${tag} || i
               from generate_series(0, ${n - 1}) i`;
    await tx`insert into ledger_journals (merchant_id, kind, reference, payment_intent_id)
             select ${merchantId}, 'capture', 'capture:pa_' || ${tag} || i, 'pi_' || ${tag} || i from generate_series(0, ${n - 1}) i`;
    await tx`insert into ledger_lines (journal_id, account_id, currency, amount)
             select j.id, v.account_id::bigint, 'usd', v.amount::bigint
               from ledger_journals j
              cross join (values (${recv}, ${AMOUNT - FEE}), (${fees}, ${FEE}), (${payable}, ${-AMOUNT})) as v(account_id, amount)
              where j.merchant_id = ${merchantId}`;
    await tx`insert into balance_transactions (id, merchant_id, journal_reference, type, reporting_category, source_id, payment_intent_id, amount, fee, net, currency, available_on)
             select 'txn_' || ${tag} || i, ${merchantId}, 'capture:pa_' || ${tag} || i, 'charge', 'charge', 'ch_' || ${tag} || i, 'pi_' || ${tag} || i,
                    ${AMOUNT}, ${FEE}, ${AMOUNT - FEE}, 'usd', now()
               from generate_series(0, ${n - 1}) i`;
  });
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
  const db = await setupDatabase(`recon_${stamp}`);
  const database = createDatabase(db.url, { max: 4 });
  const sim = await startSimulatorProcess();
  const results: string[] = [];
  try {
    for (const n of sizes) {
      const key = `sk_test_bench${randomBytes(6).toString("hex")}`;
      const prefix = `ch_b${randomBytes(4).toString("hex")}_`;
      const merchantId = `acct_bench_${randomBytes(6).toString("hex")}`;
      await database.sql`insert into merchants (id, name) values (${merchantId}, 'reconciliation bench')`;
      let t = Date.now();
      const res = await fetch(`${sim.url}/_sim/reconciliation`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ apiKey: key, kind: "seed", count: n, amount: AMOUNT, source_prefix: prefix }),
      });
      if (!res.ok) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
      await seedOurSide(database, merchantId, prefix, n);
      log(`[bench] seeded ${n} lines and captures in ${((Date.now() - t) / 1000).toFixed(1)} s`);

      const psp = new StripeAdapter(createStripeClient({ secretKey: key, apiBase: sim.url, maxNetworkRetries: 2, timeoutMs: 30_000 }));
      global.gc?.();
      const before = process.memoryUsage();
      let peakRss = before.rss;
      let peakHeap = before.heapUsed;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }, 20);
      t = Date.now();
      const today = new Date();
      const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
      const to = new Date(today.getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
      const r = await runReconciliation({ db: database.db, psp }, { from, to, merchantId });
      const secs = (Date.now() - t) / 1000;
      clearInterval(sampler);
      const line = `lines=${n} seconds=${secs.toFixed(1)} lines_per_s=${Math.round(n / secs)} matched=${r.matched} repaired=${r.repaired} exceptions=${r.exceptions} rss_before=${mb(before.rss)} peak_rss=${mb(peakRss)} peak_heap=${mb(peakHeap)}`;
      log(`[bench] ${line}`);
      results.push(line);
      if (r.matched !== n || r.exceptions !== 0) throw new Error(`expected ${n} matched and no exceptions`);
    }
  } finally {
    if (sim.child.pid) process.kill(-sim.child.pid, "SIGTERM");
    await database.close();
    await db.cleanup();
  }
  log("\nreconciliation bench");
  for (const r of results) log(r);
}

await main();

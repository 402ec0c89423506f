/**
 * Ledger posting throughput: N concurrent posters write balanced two-line journals between random
 * accounts through postJournal (unique references), then the trial balance must be zero.
 *
 *   npx tsx bench/ledger.ts            -> prints ledger_postings_per_s=N (DATABASE_URL, BENCH_SECONDS)
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { createDatabase, DEFAULT_DATABASE_URL } from "../db/client";
import { ACCOUNT_CODES, ensureAccounts, postJournal, trialBalance, type AccountCode } from "../server/ledger";

export interface LedgerBenchOptions {
  databaseUrl: string;
  seconds: number;
  /** Number of ledger accounts postings spread over (default 50). */
  accounts?: number;
  /** Concurrent posters (default 8); the pool has at least this many connections. */
  concurrency?: number;
}

export interface LedgerBenchResult {
  postingsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
}

/** Currencies the bench spreads its accounts over (codes x currencies >= accounts). */
const BENCH_CURRENCIES = ["usd", "eur", "gbp", "jpy", "chf", "cad", "aud", "sek", "nok", "dkk", "pln", "czk"] as const;

export async function benchLedger(opts: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const accounts = opts.accounts ?? 50;
  const concurrency = opts.concurrency ?? 8;
  const groupCount = Math.max(1, Math.ceil(accounts / ACCOUNT_CODES.length));
  if (accounts < 2 || groupCount > BENCH_CURRENCIES.length || Math.floor(accounts / groupCount) < 2) {
    throw new Error(`bench accounts must be between 2 and ${ACCOUNT_CODES.length * BENCH_CURRENCIES.length}`);
  }

  const database = createDatabase(opts.databaseUrl, { max: Math.max(concurrency, 2) });
  const { db, sql } = database;
  try {
    const merchantId = `bench_${randomUUID()}`;
    await sql`insert into merchants (id, name) values (${merchantId}, 'ledger bench')`;

    // Account i -> (currency i mod groups, code i div groups): 50 accounts = 9 currencies x 5-6 codes.
    const groups: { currency: string; codes: AccountCode[] }[] = BENCH_CURRENCIES.slice(0, groupCount).map((currency) => ({ currency, codes: [] }));
    for (let i = 0; i < accounts; i++) groups[i % groupCount]!.codes.push(ACCOUNT_CODES[Math.floor(i / groupCount)]!);
    for (const g of groups) await ensureAccounts(db, merchantId, g.currency, g.codes);

    const randInt = (n: number) => Math.floor(Math.random() * n);
    let seq = 0;
    const postOne = async (): Promise<number> => {
      const g = groups[randInt(groups.length)]!;
      const a = randInt(g.codes.length);
      const b = (a + 1 + randInt(g.codes.length - 1)) % g.codes.length;
      const amount = BigInt(1 + randInt(1_000_000));
      const started = performance.now();
      await postJournal(db, {
        merchantId,
        currency: g.currency,
        kind: "bench",
        reference: `bench:${seq++}`,
        lines: [
          { account: g.codes[a]!, amount },
          { account: g.codes[b]!, amount: -amount },
        ],
      });
      return performance.now() - started;
    };

    // Warm up: open every pooled connection and prepare the posting statement on it.
    await Promise.all(Array.from({ length: concurrency }, async () => { for (let i = 0; i < 20; i++) await postOne(); }));
    const warmup = seq;

    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) latencies.push(await postOne());
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;

    const tb = await trialBalance(db, { merchantId });
    if (!tb.balanced) throw new Error(`ledger bench: trial balance is not zero: ${JSON.stringify(tb, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    const [count] = await sql<{ n: bigint }[]>`select count(*)::bigint as n from ledger_journals where merchant_id = ${merchantId}`;
    if (count?.n !== BigInt(seq)) throw new Error(`ledger bench: expected ${seq} journals, found ${count?.n}`);

    latencies.sort((x, y) => x - y);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return {
      postingsPerSecond: Math.round(latencies.length / elapsedS),
      p50Ms: Number(pct(0.5).toFixed(2)),
      p99Ms: Number(pct(0.99).toFixed(2)),
      total: seq - warmup,
    };
  } finally {
    await database.close();
  }
}

/**
 * The baseline issue 9 compares the ledger with: the classic running-balance design, an accounts
 * table with a balance column updated in the same transaction as the journal and its lines. Done
 * as well as the product's posting (one statement, one round trip, one implicit transaction): a CTE
 * inserts the journal and its two lines and adds the amounts to both balances. The UPDATE reaches
 * the two rows through the primary key in ascending order, so concurrent posters lock in the same
 * order; a deadlock (should the planner scan differently) is retried and counted. Same accounts
 * (50), posters (8) and random pairs as benchLedger; its own schema in the bench database, dropped
 * afterwards; checks that the balances equal the sums of the lines and sum to zero per currency.
 */
export async function benchRunningBalance(opts: LedgerBenchOptions): Promise<LedgerBenchResult & { deadlockRetries: number }> {
  const accounts = opts.accounts ?? 50;
  const concurrency = opts.concurrency ?? 8;
  const groupCount = Math.max(1, Math.ceil(accounts / ACCOUNT_CODES.length));
  const database = createDatabase(opts.databaseUrl, { max: Math.max(concurrency, 2) });
  const { sql } = database;
  const schema = "bench_running_balance";
  try {
    await sql.unsafe(`drop schema if exists ${schema} cascade`);
    await sql.unsafe(`create schema ${schema}`);
    await sql.unsafe(`create table ${schema}.accounts (id int primary key, currency text not null, balance bigint not null default 0)`);
    await sql.unsafe(`create table ${schema}.journals (id bigserial primary key, reference text not null unique, created_at timestamptz not null default now())`);
    await sql.unsafe(
      `create table ${schema}.lines (id bigserial primary key, journal_id bigint not null references ${schema}.journals (id), account_id int not null references ${schema}.accounts (id), amount bigint not null)`,
    );
    await sql.unsafe(`create index on ${schema}.lines (journal_id)`);
    await sql.unsafe(`create index on ${schema}.lines (account_id)`);
    // Account i belongs to currency group i mod groups, as in benchLedger.
    const groups: number[][] = Array.from({ length: groupCount }, () => []);
    for (let i = 0; i < accounts; i++) groups[i % groupCount]!.push(i + 1);
    await sql.unsafe(
      `insert into ${schema}.accounts (id, currency) select i, 'c' || ((i - 1) % ${groupCount}) from generate_series(1, ${accounts}) i`,
    );
    const post = `with j as (insert into ${schema}.journals (reference) values ($1) returning id),
      l as (insert into ${schema}.lines (journal_id, account_id, amount) select j.id, v.a, v.amt from j, (values ($2::int, $3::bigint), ($4::int, $5::bigint)) v (a, amt)),
      u as (update ${schema}.accounts a set balance = a.balance + v.amt from (values ($2::int, $3::bigint), ($4::int, $5::bigint)) v (a, amt) where a.id = v.a)
      select id from j`;

    const randInt = (n: number) => Math.floor(Math.random() * n);
    let seq = 0;
    let deadlockRetries = 0;
    const postOne = async (): Promise<number> => {
      const g = groups[randInt(groups.length)]!;
      const i = randInt(g.length);
      const k = (i + 1 + randInt(g.length - 1)) % g.length;
      const [lo, hi] = [g[i]!, g[k]!].sort((x, y) => x - y);
      const amount = String(1 + randInt(1_000_000));
      const reference = `bench:${seq++}`;
      const started = performance.now();
      for (;;) {
        try {
          await sql.unsafe(post, [reference, lo!, amount, hi!, `-${amount}`], { prepare: true });
          break;
        } catch (e) {
          if ((e as { code?: string }).code !== "40P01") throw e;
          deadlockRetries++;
        }
      }
      return performance.now() - started;
    };

    await Promise.all(Array.from({ length: concurrency }, async () => { for (let i = 0; i < 20; i++) await postOne(); }));
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) latencies.push(await postOne());
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;

    const [check] = await sql.unsafe<{ bad_accounts: string; bad_currencies: string; journals: string }[]>(
      `select (select count(*) from ${schema}.accounts a where a.balance <> coalesce((select sum(amount) from ${schema}.lines l where l.account_id = a.id), 0))::text as bad_accounts,
              (select count(*) from (select currency from ${schema}.accounts group by currency having sum(balance) <> 0) x)::text as bad_currencies,
              (select count(*) from ${schema}.journals)::text as journals`,
    );
    if (check?.bad_accounts !== "0" || check.bad_currencies !== "0" || check.journals !== String(seq)) {
      throw new Error(`running-balance baseline: inconsistent result ${JSON.stringify(check)} after ${seq} postings`);
    }
    latencies.sort((x, y) => x - y);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return {
      postingsPerSecond: Math.round(latencies.length / elapsedS),
      p50Ms: Number(pct(0.5).toFixed(2)),
      p99Ms: Number(pct(0.99).toFixed(2)),
      total: latencies.length,
      deadlockRetries,
    };
  } finally {
    await sql.unsafe(`drop schema if exists ${schema} cascade`).catch(() => {});
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { env } = await import("../server/env");
  const { migrateDatabase } = await import("../db/migrate");
  const databaseUrl = env().DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const seconds = Number(process.argv[2] ?? 10);
  const concurrency = Number(process.argv[3] ?? 8);
  await migrateDatabase(databaseUrl);
  const r = await benchLedger({ databaseUrl, seconds, concurrency });
  const b = await benchRunningBalance({ databaseUrl, seconds, concurrency });
  console.log(`ledger_postings_per_s=${r.postingsPerSecond} running_balance_baseline_per_s=${b.postingsPerSecond} ratio=${(r.postingsPerSecond / Math.max(1, b.postingsPerSecond)).toFixed(2)}`);
  console.log(`ledger_post_p50_ms=${r.p50Ms} ledger_post_p99_ms=${r.p99Ms} total=${r.total} seconds=${seconds} concurrency=${concurrency}`);
}

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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { env } = await import("../server/env");
  const { migrateDatabase } = await import("../db/migrate");
  const databaseUrl = env().DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const seconds = Number(process.argv[2] ?? 10);
  const concurrency = Number(process.argv[3] ?? 8);
  await migrateDatabase(databaseUrl);
  const r = await benchLedger({ databaseUrl, seconds, concurrency });
  console.log(`ledger_postings_per_s=${r.postingsPerSecond}`);
  console.log(`ledger_post_p50_ms=${r.p50Ms} ledger_post_p99_ms=${r.p99Ms} total=${r.total} seconds=${seconds} concurrency=${concurrency}`);
}

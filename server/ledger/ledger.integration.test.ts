import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../db/client";
import { DomainError } from "../errors";
import {
  accountBalances,
  assertCanCapture,
  assertCanRefund,
  assertCanRelease,
  authorizationJournal,
  captureJournal,
  ensureAccounts,
  paymentLedgerTotals,
  postJournal,
  refundJournal,
  releaseJournal,
  reverseJournal,
  trialBalance,
} from "./index";

let database: Database;

beforeAll(() => {
  database = createDatabase(process.env.DATABASE_URL!, { max: 24 });
});
afterAll(async () => {
  await database.close();
});

async function newMerchant(): Promise<string> {
  const id = `acct_test_${randomUUID().replaceAll("-", "")}`;
  await database.sql`insert into merchants (id, name) values (${id}, 'ledger test')`;
  return id;
}

const balanceMap = async (merchantId: string, currency?: string) =>
  Object.fromEntries((await accountBalances(database.db, merchantId, currency)).map((b) => [`${b.currency}:${b.code}`, b.balance]));

async function journalCount(merchantId: string): Promise<bigint> {
  const [row] = await database.sql<{ n: bigint }[]>`select count(*)::bigint as n from ledger_journals where merchant_id = ${merchantId}`;
  return row!.n;
}

async function rejects(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error("expected the promise to reject");
}

describe("ledger (PostgreSQL)", () => {
  it("posts journals and derives balances from the lines", async () => {
    const m = await newMerchant();
    const auth = await postJournal(database.db, { merchantId: m, currency: "usd", paymentIntentId: "pi_1", ...authorizationJournal({ attemptId: "a1", amount: 1000n }) });
    expect(auth.duplicate).toBe(false);
    await postJournal(database.db, { merchantId: m, currency: "usd", paymentIntentId: "pi_1", ...captureJournal({ attemptId: "c1", amount: 600n, fee: 30n }) });
    await postJournal(database.db, { merchantId: m, currency: "usd", paymentIntentId: "pi_1", ...releaseJournal({ reference: "release:c1", amount: 400n }) });
    await postJournal(database.db, { merchantId: m, currency: "usd", paymentIntentId: "pi_1", refundId: "re_1", ...refundJournal({ refundId: "re_1", amount: 100n }) });
    await postJournal(database.db, { merchantId: m, currency: "eur", ...authorizationJournal({ attemptId: "a2", amount: 50n }) });

    expect(await balanceMap(m, "usd")).toEqual({
      "usd:authorization_commitments": 0n,
      "usd:authorization_holds": 0n,
      "usd:merchant_payable": -500n,
      "usd:psp_fees": 30n,
      "usd:psp_receivable": 470n,
    });
    expect(await balanceMap(m, "eur")).toEqual({ "eur:authorization_holds": 50n, "eur:authorization_commitments": -50n });
    expect(await paymentLedgerTotals(database.db, m, "pi_1")).toEqual({
      authorized: 1000n,
      captured: 600n,
      released: 400n,
      refunded: 100n,
      held: 0n,
      disputed: 0n,
    });
    const [stored] = await database.sql<{ kind: string; reference: string; n: bigint }[]>`
      select j.kind, j.reference, count(l.id)::bigint as n from ledger_journals j join ledger_lines l on l.journal_id = j.id
       where j.id = ${auth.journalId.toString()} group by j.id`;
    expect(stored).toEqual({ kind: "authorization", reference: "auth:a1", n: 2n });
    const tb = await trialBalance(database.db, { merchantId: m });
    expect(tb.balanced).toBe(true);
    expect(tb.currencies.find((c) => c.currency === "usd")).toEqual({ currency: "usd", debits: 2700n, credits: 2700n, net: 0n });
  });

  it("rejects unbalanced input before touching the database", async () => {
    const m = await newMerchant();
    const err = await rejects(
      postJournal(database.db, { merchantId: m, currency: "usd", kind: "capture", reference: "bad", lines: [{ account: "psp_receivable", amount: 10n }, { account: "merchant_payable", amount: -9n }] }),
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("parameter_invalid");
    expect(await journalCount(m)).toBe(0n);
  });

  it("posts a reference once: a repeat returns the existing journal", async () => {
    const m = await newMerchant();
    const draft = authorizationJournal({ attemptId: "once", amount: 250n });
    const first = await postJournal(database.db, { merchantId: m, currency: "usd", ...draft });
    const again = await postJournal(database.db, { merchantId: m, currency: "usd", ...draft });
    expect(again).toEqual({ journalId: first.journalId, duplicate: true });
    expect(await journalCount(m)).toBe(1n);
    expect((await balanceMap(m))["usd:authorization_holds"]).toBe(250n);
  });

  it("20 concurrent posts of one reference create one journal", async () => {
    const m = await newMerchant();
    const draft = captureJournal({ attemptId: "race", amount: 999n, fee: 9n });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => postJournal(database.db, { merchantId: m, currency: "usd", ...draft })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.journalId)).size).toBe(1);
    expect(await journalCount(m)).toBe(1n);
    const [lines] = await database.sql<{ n: bigint }[]>`
      select count(*)::bigint as n from ledger_lines l join ledger_journals j on j.id = l.journal_id where j.merchant_id = ${m}`;
    expect(lines!.n).toBe(BigInt(draft.lines.length));
    expect((await balanceMap(m))["usd:merchant_payable"]).toBe(-999n);
  });

  it("concurrent postings through the pool post each reference exactly once", async () => {
    const m = await newMerchant();
    const calls = Array.from({ length: 200 }, (_, i) => {
      const n = i % 100; // every reference posted twice, concurrently
      return postJournal(database.db, { merchantId: m, currency: "usd", ...refundJournal({ refundId: `re_${n} "q",{b}\\ é`, amount: BigInt(n + 1) }) });
    });
    const results = await Promise.all(calls);
    expect(await journalCount(m)).toBe(100n);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(100);
    for (let n = 0; n < 100; n++) expect(results[n]!.journalId).toBe(results[n + 100]!.journalId);
    const expected = (100n * 101n) / 2n;
    expect(await balanceMap(m)).toEqual({ "usd:merchant_payable": expected, "usd:psp_receivable": -expected });
    const [lines] = await database.sql<{ n: bigint }[]>`
      select count(*)::bigint as n from ledger_lines l join ledger_journals j on j.id = l.journal_id where j.merchant_id = ${m}`;
    expect(lines!.n).toBe(200n);
    const [stored] = await database.sql<{ reference: string }[]>`
      select reference from ledger_journals where id = ${results[7]!.journalId.toString()}`;
    expect(stored!.reference).toBe('refund:re_7 "q",{b}\\ é');
  });

  it("standalone posts of a reference held by an open transaction resolve to that transaction's journal", async () => {
    const m = await newMerchant();
    const draft = authorizationJournal({ attemptId: "held", amount: 70n });
    await ensureAccounts(database.db, m, "usd", ["authorization_holds", "authorization_commitments"]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let posted!: (id: bigint) => void;
    const postedId = new Promise<bigint>((r) => (posted = r));
    const tx = database.db.transaction(async (t) => {
      const r = await postJournal(t, { merchantId: m, currency: "usd", ...draft });
      posted(r.journalId);
      await gate;
      return r;
    });
    const txJournal = await postedId;
    const others = [
      ...Array.from({ length: 10 }, () => postJournal(database.db, { merchantId: m, currency: "usd", ...draft })),
      ...Array.from({ length: 10 }, (_, i) => postJournal(database.db, { merchantId: m, currency: "usd", ...authorizationJournal({ attemptId: `free${i}`, amount: 1n }) })),
    ];
    await new Promise((r) => setTimeout(r, 200)); // let the standalone posts block on the open transaction
    release();
    expect((await tx).duplicate).toBe(false);
    const results = await Promise.all(others);
    for (const r of results.slice(0, 10)) expect(r).toEqual({ journalId: txJournal, duplicate: true });
    expect(results.slice(10).every((r) => !r.duplicate)).toBe(true);
    expect(await journalCount(m)).toBe(11n);
    expect((await balanceMap(m))["usd:authorization_holds"]).toBe(80n);
  });

  it("posts inside a caller's transaction and rolls back with it", async () => {
    const m = await newMerchant();
    await expect(
      database.db.transaction(async (tx) => {
        await postJournal(tx, { merchantId: m, currency: "gbp", ...authorizationJournal({ attemptId: "tx1", amount: 10n }) });
        const dup = await postJournal(tx, { merchantId: m, currency: "gbp", ...authorizationJournal({ attemptId: "tx1", amount: 10n }) });
        expect(dup.duplicate).toBe(true);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await journalCount(m)).toBe(0n);
    // The accounts created by the rolled-back transaction were not cached: posting again works.
    await database.db.transaction(async (tx) => {
      await postJournal(tx, { merchantId: m, currency: "gbp", ...authorizationJournal({ attemptId: "tx1", amount: 10n }) });
    });
    expect(await balanceMap(m, "gbp")).toEqual({ "gbp:authorization_holds": 10n, "gbp:authorization_commitments": -10n });
  });

  it("the database rejects an unbalanced journal at COMMIT", async () => {
    const m = await newMerchant();
    const ids = await ensureAccounts(database.db, m, "usd", ["psp_receivable", "merchant_payable"]);
    let reachedCommit = false;
    const err = await rejects(
      database.sql.begin(async (tx) => {
        const [j] = await tx<{ id: bigint }[]>`
          insert into ledger_journals (merchant_id, kind, reference) values (${m}, 'manual', 'unbalanced') returning id`;
        await tx`insert into ledger_lines (journal_id, account_id, currency, amount)
                 values (${j!.id.toString()}, ${ids.get("psp_receivable")!.toString()}, 'usd', 100),
                        (${j!.id.toString()}, ${ids.get("merchant_payable")!.toString()}, 'usd', -99)`;
        reachedCommit = true; // both statements succeeded; the deferred trigger fires at COMMIT
      }),
    );
    expect(reachedCommit).toBe(true);
    expect(err.code).toBe("23514");
    expect(err.message).toMatch(/does not balance/);
    expect(await journalCount(m)).toBe(0n);
  });

  it("rejects UPDATE and DELETE of posted lines and journals", async () => {
    const m = await newMerchant();
    const { journalId } = await postJournal(database.db, { merchantId: m, currency: "usd", ...refundJournal({ refundId: "immutable", amount: 5n }) });
    const id = journalId.toString();
    expect((await rejects(database.sql`update ledger_lines set amount = amount * 2 where journal_id = ${id}`)).message).toMatch(/append-only/);
    expect((await rejects(database.sql`delete from ledger_lines where journal_id = ${id}`)).message).toMatch(/append-only/);
    expect((await rejects(database.sql`update ledger_journals set memo = 'x' where id = ${id}`)).message).toMatch(/append-only/);
    expect((await balanceMap(m))["usd:merchant_payable"]).toBe(5n);
  });

  it("a reversal nets balances to zero and cannot be done twice", async () => {
    const m = await newMerchant();
    const { journalId } = await postJournal(database.db, { merchantId: m, currency: "usd", paymentIntentId: "pi_rev", ...captureJournal({ attemptId: "rev", amount: 800n, fee: 24n }) });
    expect((await balanceMap(m))["usd:psp_receivable"]).toBe(776n);

    const reversal = await reverseJournal(database.db, { merchantId: m, journalId });
    expect(reversal.duplicate).toBe(false);
    const balances = await balanceMap(m);
    expect(Object.values(balances).every((b) => b === 0n)).toBe(true);
    expect((await paymentLedgerTotals(database.db, m, "pi_rev")).captured).toBe(0n);

    const [row] = await database.sql<{ reverses_journal_id: bigint; kind: string }[]>`
      select reverses_journal_id, kind from ledger_journals where id = ${reversal.journalId.toString()}`;
    expect(row).toEqual({ reverses_journal_id: journalId, kind: "reversal" });

    expect(await reverseJournal(database.db, { merchantId: m, journalId })).toEqual({ journalId: reversal.journalId, duplicate: true });
    const err = await rejects(reverseJournal(database.db, { merchantId: m, journalId, reference: "reversal:again" }));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.message).toMatch(/already reversed/);
    expect(await journalCount(m)).toBe(2n);
    expect(Object.values(await balanceMap(m)).every((b) => b === 0n)).toBe(true);

    // Another merchant cannot reverse it.
    const other = await newMerchant();
    expect((await rejects(reverseJournal(database.db, { merchantId: other, journalId }))).code).toBe("resource_missing");
  });

  it("property: persisted random payment sequences keep every currency balanced and amounts within bounds", async () => {
    const m = await newMerchant();
    const currencies = ["usd", "eur", "jpy"] as const;
    const op = fc.oneof(
      fc.record({ op: fc.constant("capture" as const), amount: fc.bigInt({ min: 1n, max: 5_000n }), feeBps: fc.integer({ min: 0, max: 10_000 }) }),
      fc.record({ op: fc.constant("release" as const), amount: fc.bigInt({ min: 1n, max: 5_000n }) }),
      fc.record({ op: fc.constant("refund" as const), amount: fc.bigInt({ min: 1n, max: 5_000n }) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...currencies),
        fc.bigInt({ min: 1n, max: 4_000n }),
        fc.array(op, { maxLength: 6 }),
        async (currency, authorized, ops) => {
          const pi = `pi_prop_${run++}`;
          const base = { merchantId: m, currency, paymentIntentId: pi };
          await postJournal(database.db, { ...base, ...authorizationJournal({ attemptId: `${pi}_auth`, amount: authorized }) });
          for (const [i, o] of ops.entries()) {
            // Each step is decided in a transaction from the ledger's own totals, as the orchestrator would.
            await database.db
              .transaction(async (tx) => {
                const totals = await paymentLedgerTotals(tx, m, pi);
                if (o.op === "capture") {
                  assertCanCapture(totals, o.amount);
                  const fee = (o.amount * BigInt(o.feeBps)) / 10_000n;
                  await postJournal(tx, { ...base, ...captureJournal({ attemptId: `${pi}_c${i}`, amount: o.amount, fee }) });
                } else if (o.op === "release") {
                  assertCanRelease(totals, o.amount);
                  await postJournal(tx, { ...base, ...releaseJournal({ reference: `release:${pi}_${i}`, amount: o.amount }) });
                } else {
                  assertCanRefund(totals, o.amount);
                  await postJournal(tx, { ...base, refundId: `${pi}_r${i}`, ...refundJournal({ refundId: `${pi}_r${i}`, amount: o.amount }) });
                }
              })
              .catch((e: unknown) => {
                if (!(e instanceof DomainError && e.code === "amount_too_large")) throw e;
              });
          }

          const perCurrency = await database.sql<{ currency: string; total: string }[]>`
            select l.currency, sum(l.amount)::text as total
              from ledger_lines l join ledger_journals j on j.id = l.journal_id
             where j.merchant_id = ${m} group by l.currency`;
          for (const c of perCurrency) expect(c.total).toBe("0");
          const bounds = await database.sql<{ pi: string; authorized: string; captured: string; refunded: string }[]>`
            select j.payment_intent_id as pi,
                   coalesce(sum(l.amount) filter (where j.kind = 'authorization' and a.code = 'authorization_holds'), 0)::text as authorized,
                   coalesce(sum(l.amount) filter (where j.kind = 'capture' and a.code = 'authorization_commitments'), 0)::text as captured,
                   coalesce(sum(l.amount) filter (where j.kind = 'refund' and a.code = 'merchant_payable'), 0)::text as refunded
              from ledger_journals j
              join ledger_lines l on l.journal_id = j.id
              join ledger_accounts a on a.id = l.account_id
             where j.merchant_id = ${m}
             group by j.payment_intent_id`;
          for (const b of bounds) {
            expect(BigInt(b.captured)).toBeLessThanOrEqual(BigInt(b.authorized));
            expect(BigInt(b.refunded)).toBeLessThanOrEqual(BigInt(b.captured));
          }
          const totals = await paymentLedgerTotals(database.db, m, pi);
          expect(totals.authorized).toBe(authorized);
          expect(totals.held).toBe(totals.authorized - totals.captured - totals.released);
          expect(totals.held).toBeGreaterThanOrEqual(0n);
        },
      ),
      { numRuns: 30 },
    );
    const tb = await trialBalance(database.db);
    expect(tb.unbalancedJournals).toEqual([]);
    expect(tb.currencies.every((c) => c.net === 0n)).toBe(true);
    expect(tb.balanced).toBe(true);
  });
});

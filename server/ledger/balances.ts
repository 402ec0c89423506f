import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { derivePaymentTotals, type PaymentTotals } from "./rules";
import { rows, toBigInt } from "./sql";

/** Balances are derived from lines on read; there are no stored balance rows to contend on. */

export interface AccountBalance {
  code: string;
  currency: string;
  /** Signed: debit balances are positive, credit balances negative. */
  balance: bigint;
}

export async function accountBalances(db: DbOrTx, merchantId: string, currency?: string): Promise<AccountBalance[]> {
  const result = await rows<{ code: string; currency: string; balance: string }>(
    db,
    sql`
      select a.code, a.currency, coalesce(sum(l.amount), 0)::text as balance
        from ledger_accounts a
        left join ledger_lines l on l.account_id = a.id
       where a.merchant_id = ${merchantId} ${currency === undefined ? sql`` : sql`and a.currency = ${currency}`}
       group by a.id, a.code, a.currency
       order by a.currency, a.code`,
  );
  return result.map((r) => ({ code: r.code, currency: r.currency, balance: toBigInt(r.balance) }));
}

/**
 * Totals of one payment from its journals. A reversal counts under the kind of the journal it
 * reverses (following reversal-of-reversal chains), so a reversed capture nets out of `captured`.
 */
export async function paymentLedgerTotals(db: DbOrTx, merchantId: string, paymentIntentId: string): Promise<PaymentTotals> {
  const lines = await rows<{ journal_id: bigint; kind: string; reverses_journal_id: bigint | null; code: string; amount: bigint }>(
    db,
    sql`
      select j.id as journal_id, j.kind, j.reverses_journal_id, a.code, l.amount
        from ledger_journals j
        join ledger_lines l on l.journal_id = j.id
        join ledger_accounts a on a.id = l.account_id
       where j.merchant_id = ${merchantId} and j.payment_intent_id = ${paymentIntentId}`,
  );
  const journals = new Map<bigint, { kind: string; reverses: bigint | null }>();
  for (const l of lines) journals.set(l.journal_id, { kind: l.kind, reverses: l.reverses_journal_id });
  const businessKind = (journalId: bigint): string => {
    let j = journals.get(journalId);
    for (let hops = 0; j && j.reverses !== null && hops < 64; hops++) {
      const next = journals.get(j.reverses);
      if (!next) return j.kind;
      j = next;
    }
    return j?.kind ?? "reversal";
  };
  return derivePaymentTotals(lines.map((l) => ({ kind: businessKind(l.journal_id), account: l.code, amount: l.amount })));
}

export interface TrialBalanceRow {
  currency: string;
  /** Sum of positive amounts. */
  debits: bigint;
  /** Sum of negative amounts, as a positive magnitude. */
  credits: bigint;
  /** debits - credits: zero when the currency balances. */
  net: bigint;
}

export interface UnbalancedJournal {
  journalId: bigint;
  currency: string;
  sum: bigint;
}

export interface TrialBalance {
  currencies: TrialBalanceRow[];
  unbalancedJournals: UnbalancedJournal[];
  /** Every currency nets to zero and no journal is unbalanced. */
  balanced: boolean;
}

/** The trial balance over all merchants, or one merchant with `merchantId`. */
export async function trialBalance(db: DbOrTx, opts: { merchantId?: string } = {}): Promise<TrialBalance> {
  const scope =
    opts.merchantId === undefined
      ? sql``
      : sql`where l.journal_id in (select id from ledger_journals where merchant_id = ${opts.merchantId})`;
  const totals = await rows<{ currency: string; debits: string; credits: string; net: string }>(
    db,
    sql`
      select l.currency,
             coalesce(sum(l.amount) filter (where l.amount > 0), 0)::text as debits,
             coalesce(-sum(l.amount) filter (where l.amount < 0), 0)::text as credits,
             sum(l.amount)::text as net
        from ledger_lines l ${scope}
       group by l.currency
       order by l.currency`,
  );
  const unbalanced = await rows<{ journal_id: bigint; currency: string; sum: string }>(
    db,
    sql`
      select l.journal_id, l.currency, sum(l.amount)::text as sum
        from ledger_lines l ${scope}
       group by l.journal_id, l.currency
      having sum(l.amount) <> 0
       order by l.journal_id, l.currency`,
  );
  const currencies = totals.map((r) => ({
    currency: r.currency,
    debits: toBigInt(r.debits),
    credits: toBigInt(r.credits),
    net: toBigInt(r.net),
  }));
  const unbalancedJournals = unbalanced.map((r) => ({ journalId: r.journal_id, currency: r.currency, sum: toBigInt(r.sum) }));
  return {
    currencies,
    unbalancedJournals,
    balanced: unbalancedJournals.length === 0 && currencies.every((c) => c.net === 0n),
  };
}

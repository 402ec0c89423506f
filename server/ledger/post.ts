import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { DomainError } from "../errors";
import { ensureAccounts, type AccountCode } from "./accounts";
import { assertBalanced, type JournalKind, type JournalLine } from "./rules";
import { pgArrayItem, preparedRows, rows } from "./sql";

export interface PostJournalInput {
  merchantId: string;
  currency: string;
  /** One of JOURNAL_KINDS for payment facts; free text is accepted for other postings. */
  kind: JournalKind | (string & {});
  /** Unique per merchant: the business fact this journal records (`capture:<attemptId>`). */
  reference: string;
  paymentIntentId?: string | null;
  refundId?: string | null;
  memo?: string | null;
  lines: readonly JournalLine[];
}

/** A journal as inserted: ids resolved, optional fields null. */
interface JournalHeader {
  merchantId: string;
  kind: string;
  reference: string;
  paymentIntentId: string | null;
  refundId: string | null;
  reversesJournalId: bigint | null;
  memo: string | null;
}

interface ResolvedLine {
  accountId: bigint;
  currency: string;
  amount: bigint;
}

export interface PostJournalResult {
  journalId: bigint;
  /** True when a journal with this reference already existed; nothing was posted. */
  duplicate: boolean;
}

/**
 * Posts a balanced journal exactly once per (merchant, reference).
 *
 * The journal and its lines are written by one SQL statement (one round trip, one prepared
 * statement whatever the line count), after the lines are checked in code (assertBalanced) and
 * account ids resolved from the process cache. Inside a caller's transaction (every payment
 * path) the posting commits or rolls back with it; on a pool handle the statement is its own
 * transaction (the deferred balance trigger checks it at that implicit commit). Posting a
 * reference again returns the existing journal with `duplicate: true` and posts nothing, also
 * when concurrent posters race.
 */
export async function postJournal(db: DbOrTx, input: PostJournalInput): Promise<PostJournalResult> {
  requireText(input.merchantId, "merchantId");
  requireText(input.kind, "kind");
  requireText(input.reference, "reference");
  if (input.memo) requireText(input.memo, "memo");
  if (input.paymentIntentId) requireText(input.paymentIntentId, "paymentIntentId");
  if (input.refundId) requireText(input.refundId, "refundId");
  assertBalanced(input.lines);

  const codes: AccountCode[] = [];
  for (const l of input.lines) if (!codes.includes(l.account)) codes.push(l.account);
  const ids = await ensureAccounts(db, input.merchantId, input.currency, codes);

  const lines: ResolvedLine[] = input.lines.map((l) => ({ accountId: ids.get(l.account)!, currency: input.currency, amount: l.amount }));
  const header: JournalHeader = {
    merchantId: input.merchantId,
    kind: input.kind,
    reference: input.reference,
    paymentIntentId: input.paymentIntentId ?? null,
    refundId: input.refundId ?? null,
    reversesJournalId: null,
    memo: input.memo ?? null,
  };
  return insertJournal(db, header, lines);
}

interface JournalIdRow extends Record<string, unknown> {
  id: bigint;
  duplicate: boolean;
}

/**
 * One statement: insert the journal unless its reference exists, insert its lines from three
 * arrays (one text for any line count, so one prepared statement per connection), and return the
 * new id, or the existing id when the reference was already posted.
 */
export const INSERT_JOURNAL = `
with j as (
  insert into ledger_journals (merchant_id, kind, reference, payment_intent_id, refund_id, reverses_journal_id, memo)
  values ($1, $2, $3, $4, $5, $6::bigint, $7)
  on conflict (merchant_id, reference) do nothing
  returning id
), l as (
  insert into ledger_lines (journal_id, account_id, currency, amount)
  select j.id, v.account_id, v.currency, v.amount
    from j, unnest($8::bigint[], $9::text[], $10::bigint[]) as v(account_id, currency, amount)
)
select id, false as duplicate from j
union all
select id, true as duplicate from ledger_journals
 where merchant_id = $1 and reference = $3 and not exists (select 1 from j)`;

async function insertJournal(db: DbOrTx, h: JournalHeader, lines: readonly ResolvedLine[]): Promise<PostJournalResult> {
  let accountIds = "{";
  let currencies = "{";
  let amounts = "{";
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const sep = i === 0 ? "" : ",";
    accountIds += sep + l.accountId.toString();
    currencies += sep + pgArrayItem(l.currency);
    amounts += sep + l.amount.toString();
  }
  const found = await preparedRows<JournalIdRow>(db, INSERT_JOURNAL, [
    h.merchantId,
    h.kind,
    h.reference,
    h.paymentIntentId,
    h.refundId,
    h.reversesJournalId === null ? null : h.reversesJournalId.toString(),
    h.memo,
    accountIds + "}",
    currencies + "}",
    amounts + "}",
  ]);
  const row = found[0];
  if (row) return { journalId: row.id, duplicate: row.duplicate };

  // Lost a race: the winner committed after this statement's snapshot was taken. A new statement sees it.
  const winner = await rows<{ id: bigint }>(
    db,
    sql`select id from ledger_journals where merchant_id = ${h.merchantId} and reference = ${h.reference}`,
  );
  if (winner[0]) return { journalId: winner[0].id, duplicate: true };
  throw new DomainError("internal_error", `Journal ${h.reference} for merchant ${h.merchantId} conflicted but is not visible; retry.`);
}

interface ReversalSourceRow extends Record<string, unknown> {
  kind: string;
  payment_intent_id: string | null;
  refund_id: string | null;
  account_id: bigint;
  currency: string;
  amount: bigint;
  reversed_by: bigint | null;
  reversed_by_reference: string | null;
}

/**
 * Reverses a journal by posting its negated lines with `reverses_journal_id` set, under
 * `reference` (default `reversal:<journalId>`). A journal is reversed at most once: repeating the
 * call with the same reference returns the reversal with `duplicate: true`; a different reference
 * is refused.
 */
export async function reverseJournal(
  db: DbOrTx,
  p: { merchantId: string; journalId: bigint; reference?: string; memo?: string },
): Promise<PostJournalResult> {
  requireText(p.merchantId, "merchantId");
  if (typeof p.journalId !== "bigint") throw new DomainError("parameter_invalid", `Invalid journal id ${String(p.journalId)}.`, { param: "journalId" });
  const reference = p.reference ?? `reversal:${p.journalId}`;
  requireText(reference, "reference");

  const source = await rows<ReversalSourceRow>(
    db,
    sql`
      select j.kind, j.payment_intent_id, j.refund_id, l.account_id, l.currency, l.amount,
             r.id as reversed_by, r.reference as reversed_by_reference
        from ledger_journals j
        join ledger_lines l on l.journal_id = j.id
        left join ledger_journals r on r.reverses_journal_id = j.id
       where j.id = ${p.journalId.toString()}::bigint and j.merchant_id = ${p.merchantId}
       order by l.id`,
  );
  const first = source[0];
  if (!first) throw new DomainError("resource_missing", `No such ledger journal: ${p.journalId}`, { param: "journalId" });
  if (first.reversed_by !== null) {
    if (first.reversed_by_reference === reference) return { journalId: first.reversed_by, duplicate: true };
    throw alreadyReversed(p.journalId, first.reversed_by);
  }

  const lines = source.map((s) => ({ accountId: s.account_id, currency: s.currency, amount: -s.amount }));
  assertBalanced(lines);
  let result: PostJournalResult;
  try {
    result = await insertJournal(
      db,
      {
        merchantId: p.merchantId,
        kind: "reversal",
        reference,
        paymentIntentId: first.payment_intent_id,
        refundId: first.refund_id,
        reversesJournalId: p.journalId,
        memo: p.memo ?? `reverses journal ${p.journalId}`,
      },
      lines,
    );
  } catch (e) {
    if ((e as { constraint_name?: string }).constraint_name === "ledger_journals_reverses_uq") throw alreadyReversed(p.journalId, null);
    throw e;
  }
  if (result.duplicate) {
    // The reference exists: it must be this journal's reversal, not an unrelated posting.
    const existing = await rows<{ reverses_journal_id: bigint | null }>(
      db,
      sql`select reverses_journal_id from ledger_journals where id = ${result.journalId.toString()}::bigint`,
    );
    if (existing[0]?.reverses_journal_id !== p.journalId) {
      throw new DomainError("parameter_invalid", `Reference ${reference} is already used by journal ${result.journalId}, which does not reverse journal ${p.journalId}.`, {
        param: "reference",
      });
    }
  }
  return result;
}

function alreadyReversed(journalId: bigint, by: bigint | null): DomainError {
  return new DomainError("parameter_invalid", `Ledger journal ${journalId} is already reversed${by === null ? "" : ` by journal ${by}`}.`, {
    param: "journalId",
  });
}

function requireText(value: unknown, param: string): void {
  if (typeof value !== "string" || value.length === 0) {
    throw new DomainError("parameter_missing", `Missing ${param} for the ledger journal.`, { param });
  }
  if (value.includes("\u0000")) throw new DomainError("parameter_invalid", `The ${param} contains a NUL character.`, { param });
}

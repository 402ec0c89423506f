import type { DbOrTx } from "../../db/client";
import { preparedRows } from "./sql";

/**
 * Group commit for standalone postings (internal). Posting on a pool handle sends the journal at
 * once while fewer than MAX_IN_FLIGHT posting statements are running; postings that arrive while
 * the limit is reached wait and go together, as one statement and one transaction, when a
 * statement finishes. An idle system therefore sees no added latency, and a busy one shares the
 * commit, the statement and the row locks of the foreign-key checks among the journals of a batch.
 *
 * Each caller still gets its own outcome: a reference that appears twice in a batch is inserted
 * once (the others get `duplicate: true`), a journal whose reference committed concurrently is
 * resolved on its own, and if the batch statement fails every journal is retried on its own, so
 * one journal's error never becomes another's. Journals are inserted in (merchant, reference)
 * order so two batches never wait on each other's references in opposite orders.
 */

export interface JournalHeader {
  merchantId: string;
  kind: string;
  reference: string;
  paymentIntentId: string | null;
  refundId: string | null;
  reversesJournalId: bigint | null;
  memo: string | null;
}

export interface ResolvedLine {
  accountId: bigint;
  currency: string;
  amount: bigint;
}

export interface InsertResult {
  journalId: bigint;
  duplicate: boolean;
}

type InsertOne = (db: DbOrTx, h: JournalHeader, lines: readonly ResolvedLine[]) => Promise<InsertResult>;

const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 64;

interface Pending {
  header: JournalHeader;
  lines: readonly ResolvedLine[];
  resolve: (r: InsertResult) => void;
  reject: (e: unknown) => void;
}

class GroupCommitter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: DbOrTx,
    private readonly insertOne: InsertOne,
  ) {}

  submit(header: JournalHeader, lines: readonly ResolvedLine[]): Promise<InsertResult> {
    return new Promise<InsertResult>((resolve, reject) => {
      this.queue.push({ header, lines, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      const p = batch[0]!;
      await this.insertOne(this.db, p.header, p.lines).then(p.resolve, p.reject);
      return;
    }
    // One insert per (merchant, reference); later submissions of the same reference are duplicates.
    const groups = new Map<string, Pending[]>();
    for (const p of batch) {
      const key = `${p.header.merchantId}\u0000${p.header.reference}`;
      const g = groups.get(key);
      if (g) g.push(p);
      else groups.set(key, [p]);
    }
    const unique = [...groups.values()].sort((a, b) => compareHeaders(a[0]!.header, b[0]!.header));
    const settle = (group: Pending[], r: InsertResult) => {
      group[0]!.resolve(r);
      for (const p of group.slice(1)) p.resolve({ journalId: r.journalId, duplicate: true });
    };
    const alone = (group: Pending[]) =>
      this.insertOne(this.db, group[0]!.header, group[0]!.lines).then(
        (r) => settle(group, r),
        (e: unknown) => group.forEach((p) => p.reject(e)),
      );

    let results: (InsertResult | undefined)[];
    try {
      results = await insertBatch(this.db, unique.map((g) => ({ header: g[0]!.header, lines: g[0]!.lines })));
    } catch {
      // The batch rolled back as a whole: give every journal its own statement and its own outcome.
      await Promise.all(unique.map(alone));
      return;
    }
    const retry: Pending[][] = [];
    unique.forEach((group, i) => {
      const r = results[i];
      if (r) settle(group, r);
      else retry.push(group); // reference committed by another transaction after this statement's snapshot
    });
    await Promise.all(retry.map(alone));
  }
}

function compareHeaders(a: JournalHeader, b: JournalHeader): number {
  if (a.merchantId !== b.merchantId) return a.merchantId < b.merchantId ? -1 : 1;
  return a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0;
}

/**
 * Journals and lines travel as two jsonb documents (exact: bigints are JSON strings), so the
 * statement text is the same for every batch size and stays prepared.
 */
const INSERT_JOURNALS = `
with input as (
  select * from jsonb_to_recordset($1::jsonb) as i(
    ord int, merchant_id text, kind text, reference text, payment_intent_id text, refund_id text,
    reverses_journal_id bigint, memo text)
), j as (
  insert into ledger_journals (merchant_id, kind, reference, payment_intent_id, refund_id, reverses_journal_id, memo)
  select merchant_id, kind, reference, payment_intent_id, refund_id, reverses_journal_id, memo from input order by ord
  on conflict (merchant_id, reference) do nothing
  returning id, merchant_id, reference
), l as (
  insert into ledger_lines (journal_id, account_id, currency, amount)
  select j.id, v.account_id, v.currency, v.amount
    from jsonb_to_recordset($2::jsonb) as v(ord int, account_id bigint, currency text, amount bigint)
    join input i on i.ord = v.ord
    join j on j.merchant_id = i.merchant_id and j.reference = i.reference
)
select i.ord, coalesce(j.id, e.id) as id, j.id is null as duplicate
  from input i
  left join j on j.merchant_id = i.merchant_id and j.reference = i.reference
  left join ledger_journals e on j.id is null and e.merchant_id = i.merchant_id and e.reference = i.reference`;

async function insertBatch(
  db: DbOrTx,
  journals: { header: JournalHeader; lines: readonly ResolvedLine[] }[],
): Promise<(InsertResult | undefined)[]> {
  const js: unknown[] = [];
  const ls: unknown[] = [];
  journals.forEach(({ header: h, lines }, ord) => {
    js.push({
      ord,
      merchant_id: h.merchantId,
      kind: h.kind,
      reference: h.reference,
      payment_intent_id: h.paymentIntentId,
      refund_id: h.refundId,
      reverses_journal_id: h.reversesJournalId === null ? null : h.reversesJournalId.toString(),
      memo: h.memo,
    });
    for (const l of lines) ls.push({ ord, account_id: l.accountId.toString(), currency: l.currency, amount: l.amount.toString() });
  });
  const found = await preparedRows<{ ord: number; id: bigint | null; duplicate: boolean }>(db, INSERT_JOURNALS, [
    JSON.stringify(js),
    JSON.stringify(ls),
  ]);
  const results: (InsertResult | undefined)[] = new Array(journals.length);
  for (const r of found) if (r.id !== null) results[r.ord] = { journalId: r.id, duplicate: r.duplicate };
  return results;
}

const committers = new WeakMap<object, GroupCommitter>();

/** Posts through the pool handle's group committer (pool handles only, never a transaction). */
export function groupCommit(db: DbOrTx, insertOne: InsertOne, h: JournalHeader, lines: readonly ResolvedLine[]): Promise<InsertResult> {
  let c = committers.get(db);
  if (!c) {
    c = new GroupCommitter(db, insertOne);
    committers.set(db, c);
  }
  return c.submit(h, lines);
}

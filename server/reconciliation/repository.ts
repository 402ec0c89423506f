/** Reads and writes of reconciliation: our side of a batch of PSP lines, run rows, markers, repairs. */
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { paymentAttempts, reconciliationRepairs, reconciliationRuns, reconciliationUnattributedLines } from "@/db/schema";
import { newId } from "../ids";
import { rows } from "../ledger/sql";
import type { PspBalanceLine } from "../psp/types";
import type { OurBalanceTxn, OurCharge, OurRefund, Ours } from "./rules";
import { theirsOf } from "./rules";

export type ReconciliationRunRow = typeof reconciliationRuns.$inferSelect;
export type AttemptRow = typeof paymentAttempts.$inferSelect;

/** A list of ids as one jsonb parameter: one statement text whatever the batch size, and no quoting of PSP-supplied ids. */
const idList = (ids: Iterable<string>) => sql`(select jsonb_array_elements_text(${JSON.stringify([...new Set(ids)])}::jsonb))`;

interface BtCols extends Record<string, unknown> {
  bt_id: string | null;
  bt_amount: bigint | null;
  bt_fee: bigint | null;
  bt_currency: string | null;
  bt_psp: string | null;
}

const btOf = (r: BtCols): OurBalanceTxn | null =>
  r.bt_id === null ? null : { id: r.bt_id, amount: r.bt_amount!, fee: r.bt_fee!, currency: r.bt_currency!, pspBalanceTransactionId: r.bt_psp };

/** Everything a batch of lines names on our side, in four queries whatever the batch size. */
export async function loadOurs(db: DbOrTx, lines: readonly PspBalanceLine[]): Promise<Ours> {
  const chargeSources: string[] = [];
  const refundSources: string[] = [];
  const refundIds: string[] = [];
  const intentIds: string[] = [];
  const merchantIds: string[] = [];
  for (const l of lines) {
    if (l.type === "refund" || l.type === "refund_failure") refundSources.push(l.source);
    else chargeSources.push(l.source);
    const m = l.sourceMetadata;
    if (m.payrail_refund) refundIds.push(m.payrail_refund);
    if (m.payrail_payment_intent) intentIds.push(m.payrail_payment_intent);
    if (m.payrail_merchant) merchantIds.push(m.payrail_merchant);
  }
  const [charges, refunds, intents, merchants] = await Promise.all([
    chargeSources.length === 0
      ? []
      : rows<BtCols & { id: string; merchant_id: string; payment_intent_id: string; status: OurCharge["status"]; currency: string; psp_charge_id: string; pending: boolean }>(
          db,
          sql`select c.id, c.merchant_id, c.payment_intent_id, c.status, c.currency, c.psp_charge_id,
                     b.id as bt_id, b.amount as bt_amount, b.fee as bt_fee, b.currency as bt_currency, b.psp_balance_transaction_id as bt_psp,
                     exists (select 1 from payment_attempts a where a.payment_intent_id = c.payment_intent_id and a.status = 'pending') as pending
                from charges c
                left join balance_transactions b on b.source_id = c.id and b.type = 'charge'
               where c.psp_charge_id in ${idList(chargeSources)}`,
        ),
    refundSources.length === 0 && refundIds.length === 0
      ? []
      : rows<BtCols & { id: string; merchant_id: string; payment_intent_id: string; status: OurRefund["status"]; amount: bigint; currency: string; psp_refund_id: string | null; pending: boolean }>(
          db,
          sql`select r.id, r.merchant_id, r.payment_intent_id, r.status, r.amount, r.currency, r.psp_refund_id,
                     b.id as bt_id, b.amount as bt_amount, b.fee as bt_fee, b.currency as bt_currency, b.psp_balance_transaction_id as bt_psp,
                     exists (select 1 from payment_attempts a where a.refund_id = r.id and a.status = 'pending') as pending
                from refunds r
                left join balance_transactions b on b.source_id = r.id and b.type = 'refund'
               where r.psp_refund_id in ${idList(refundSources)} or r.id in ${idList(refundIds)}`,
        ),
    intentIds.length === 0
      ? []
      : rows<{ id: string; merchant_id: string }>(
          db,
          sql`select p.id, p.merchant_id from payment_intents p
               where p.id in ${idList(intentIds)}
                 and exists (select 1 from payment_attempts a where a.payment_intent_id = p.id and a.status = 'pending')`,
        ),
    merchantIds.length === 0 ? [] : rows<{ id: string }>(db, sql`select id from merchants where id in ${idList(merchantIds)}`),
  ]);

  const chargesByPspId = new Map<string, OurCharge>();
  for (const c of charges) {
    chargesByPspId.set(c.psp_charge_id, {
      id: c.id,
      merchantId: c.merchant_id,
      paymentIntentId: c.payment_intent_id,
      status: c.status,
      currency: c.currency,
      bt: btOf(c),
      hasPendingAttempt: c.pending,
    });
  }
  const refundsByPspId = new Map<string, OurRefund>();
  const refundsById = new Map<string, OurRefund>();
  for (const r of refunds) {
    const refund: OurRefund = {
      id: r.id,
      merchantId: r.merchant_id,
      paymentIntentId: r.payment_intent_id,
      status: r.status,
      amount: r.amount,
      currency: r.currency,
      bt: btOf(r),
      hasPendingAttempt: r.pending,
    };
    if (r.psp_refund_id) refundsByPspId.set(r.psp_refund_id, refund);
    refundsById.set(r.id, refund);
  }
  return {
    chargesByPspId,
    refundsByPspId,
    refundsById,
    recoverableIntents: new Map(intents.map((i) => [i.id, i.merchant_id])),
    merchants: new Set(merchants.map((m) => m.id)),
  };
}

export async function pendingAttemptsOf(db: DbOrTx, paymentIntentId: string): Promise<AttemptRow[]> {
  return db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.paymentIntentId, paymentIntentId), eq(paymentAttempts.status, "pending")))
    .orderBy(paymentAttempts.createdAt);
}

/** Settles our balance transactions with the PSP lines that matched them, in one statement. Returns how many were settled. */
export async function settleBalanceTransactions(db: DbOrTx, pairs: readonly { bt: string; line: string }[]): Promise<number> {
  if (pairs.length === 0) return 0;
  const settled = await rows<{ id: string }>(
    db,
    sql`update balance_transactions b
           set psp_balance_transaction_id = v.line, settled_at = now()
          from jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as v(bt text, line text)
         where b.id = v.bt and b.psp_balance_transaction_id is null
     returning b.id`,
  );
  return settled.length;
}

export async function insertRepair(db: DbOrTx, r: Omit<typeof reconciliationRepairs.$inferInsert, "id">): Promise<boolean> {
  const inserted = await db
    .insert(reconciliationRepairs)
    .values({ id: newId("rrp"), ...r })
    .onConflictDoNothing({ target: [reconciliationRepairs.pspBalanceTransactionId, reconciliationRepairs.kind] })
    .returning({ id: reconciliationRepairs.id });
  return inserted.length === 1;
}

export async function insertUnattributed(db: DbOrTx, runId: string, line: PspBalanceLine): Promise<void> {
  await db
    .insert(reconciliationUnattributedLines)
    .values({ pspBalanceTransactionId: line.id, firstRunId: runId, type: line.type, source: line.source, amount: line.amount, fee: line.fee, currency: line.currency, line: theirsOf(line) })
    .onConflictDoNothing();
}

/** Runs left `running` by a process that died long ago no longer block their period. */
const STALE_RUN = sql`interval '1 hour'`;

export async function startRun(db: DbOrTx, p: { from: string; to: string; merchantId: string | null }): Promise<ReconciliationRunRow> {
  await db.execute(sql`update reconciliation_runs set status = 'failed', error = 'abandoned', finished_at = now()
                        where status = 'running' and started_at < now() - ${STALE_RUN}`);
  const [run] = await db
    .insert(reconciliationRuns)
    .values({ id: newId("rcn"), periodFrom: p.from, periodTo: p.to, merchantId: p.merchantId })
    .returning();
  return run!;
}

export interface RunCounts {
  lines: number;
  matched: number;
  repaired: number;
  exceptions: number;
  skipped: number;
}

export async function finishRun(db: DbOrTx, id: string, counts: RunCounts, outcome: { status: "succeeded" } | { status: "failed"; error: string }) {
  await db
    .update(reconciliationRuns)
    .set({ ...counts, status: outcome.status, error: outcome.status === "failed" ? outcome.error : null, finishedAt: new Date() })
    .where(eq(reconciliationRuns.id, id));
}

export interface UnsettledRow extends Record<string, unknown> {
  id: string;
  merchant_id: string;
  payment_intent_id: string | null;
  source_id: string;
  type: string;
  amount: bigint;
  fee: bigint;
  currency: string;
  /** created_at as PostgreSQL prints it (microseconds kept: a Date would lose them and break the page cursor). */
  cursor: string;
}

/**
 * Our balance transactions of [from, to) that no PSP line settled and that no reconciliation
 * exception already names (a line that disagreed on amount or currency refers to them), in pages.
 */
export async function unsettledPage(
  db: DbOrTx,
  p: { from: Date; to: Date; merchantId: string | null; after: { cursor: string; id: string } | null; limit: number },
): Promise<UnsettledRow[]> {
  const after = p.after ? sql`and (b.created_at, b.id) > (${p.after.cursor}::timestamptz, ${p.after.id})` : sql``;
  const merchant = p.merchantId ? sql`and b.merchant_id = ${p.merchantId}` : sql``;
  return rows<UnsettledRow>(
    db,
    sql`select b.id, b.merchant_id, b.payment_intent_id, b.source_id, b.type, b.amount, b.fee, b.currency, b.created_at::text as cursor
          from balance_transactions b
         where b.psp_balance_transaction_id is null
           and b.created_at >= ${p.from.toISOString()}::timestamptz and b.created_at < ${p.to.toISOString()}::timestamptz
           ${merchant} ${after}
           and not exists (select 1 from finance_exceptions e
                            where e.source = 'reconciliation' and e.merchant_id = b.merchant_id
                              and e.ours->>'balance_transaction' = b.id and e.kind <> 'missing_at_psp')
         order by b.created_at, b.id
         limit ${p.limit}`,
  );
}

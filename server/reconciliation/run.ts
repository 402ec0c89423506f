/**
 * A reconciliation run: streams the PSP's balance transactions of a period through the adapter in
 * batches, matches each batch against our charges, refunds and balance transactions (pure rules),
 * repairs the safe differences, records the rest as finance exceptions, settles what agrees, and
 * finally reports our balance transactions of the period that the PSP never listed.
 *
 * Memory is bounded by the batch: nothing is kept across batches except counters; what a later
 * batch must know (a line already settled our row) is in the database. Every effect is keyed by the
 * PSP line (settled marker, journal reference, exception dedupe key, repair row), so rerunning a
 * period, or resuming after a crash, never repeats one.
 */
import { DomainError } from "../errors";
import { recordException } from "../exceptions/repository";
import { postJournal } from "../ledger";
import { logger } from "../logger";
import type { PaymentsContext } from "../payments/context";
import { resolveAttempt } from "../payments/recovery";
import { findAttempt } from "../payments/repository";
import type { PspBalanceLine } from "../psp/types";
import { insertRepair, insertUnattributed, finishRun, loadOurs, pendingAttemptsOf, settleBalanceTransactions, startRun, unsettledPage, type RunCounts } from "./repository";
import { decideBatch, feeAdjustmentJournal, lineExceptionKey, theirsOf, type Decision } from "./rules";

export type ReconciliationContext = PaymentsContext;

export interface ReconciliationPeriod {
  /** YYYY-MM-DD, inclusive (00:00 UTC). */
  from: string;
  /** YYYY-MM-DD, exclusive (00:00 UTC). */
  to: string;
  /** Reconcile one merchant's lines and rows only. */
  merchantId?: string | null;
  /** PSP lines matched per batch (one transaction each). */
  batchSize?: number;
}

export interface ReconciliationReport extends RunCounts {
  runId: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parsePeriod(p: ReconciliationPeriod): { from: Date; to: Date } {
  const at = (v: string, param: string) => {
    const d = new Date(`${v}T00:00:00Z`);
    if (!DATE.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
      throw new DomainError("parameter_invalid", `Invalid ${param} date: ${v}. Use YYYY-MM-DD.`, { param });
    }
    return d;
  };
  const from = at(p.from, "from");
  const to = at(p.to, "to");
  if (to <= from) throw new DomainError("parameter_invalid", `The period is empty: to (${p.to}) must be after from (${p.from}).`, { param: "to" });
  return { from, to };
}

export async function runReconciliation(ctx: ReconciliationContext, period: ReconciliationPeriod): Promise<ReconciliationReport> {
  const { from, to } = parsePeriod(period);
  const merchantId = period.merchantId ?? null;
  const batchSize = period.batchSize ?? 500;
  let run: Awaited<ReturnType<typeof startRun>>;
  try {
    run = await startRun(ctx.db, { from: period.from, to: period.to, merchantId });
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code === "23505" || (e as { code?: string }).code === "23505") {
      throw new DomainError("idempotency_key_in_use", `A reconciliation of ${period.from}..${period.to} is already running.`);
    }
    throw e;
  }
  const counts: RunCounts = { lines: 0, matched: 0, repaired: 0, exceptions: 0, skipped: 0 };
  try {
    let batch: PspBalanceLine[] = [];
    for await (const line of ctx.psp.listBalanceTransactions({ from, to, pageSize: 100 })) {
      batch.push(line);
      if (batch.length >= batchSize) {
        await reconcileBatch(ctx, run.id, batch, merchantId, counts);
        batch = [];
      }
    }
    if (batch.length > 0) await reconcileBatch(ctx, run.id, batch, merchantId, counts);
    counts.exceptions += await reportMissingAtPsp(ctx, run.id, { from, to, merchantId }, batchSize);
    await finishRun(ctx.db, run.id, counts, { status: "succeeded" });
    return { runId: run.id, ...counts };
  } catch (e) {
    const message = e instanceof Error ? e.message.slice(0, 300) : String(e);
    await finishRun(ctx.db, run.id, counts, { status: "failed", error: message }).catch(() => undefined);
    throw e;
  }
}

/** Applies the intent's PSP results we never applied, through the recovery path; errors leave them for the next try. */
async function recoverIntent(ctx: ReconciliationContext, paymentIntentId: string): Promise<string[]> {
  const resolved: string[] = [];
  for (const attempt of await pendingAttemptsOf(ctx.db, paymentIntentId)) {
    try {
      await resolveAttempt(ctx, attempt);
      // Resolved only when the PSP's answer was final and applied (processing stays pending).
      if ((await findAttempt(ctx.db, attempt.id))?.status !== "pending") resolved.push(attempt.id);
    } catch (e) {
      logger.warn({ attemptId: attempt.id, errorClass: e instanceof Error ? e.name : typeof e }, "reconciliation could not apply a pending attempt");
    }
  }
  return resolved;
}

async function reconcileBatch(ctx: ReconciliationContext, runId: string, lines: PspBalanceLine[], merchantId: string | null, counts: RunCounts) {
  counts.lines += lines.length;
  const claimed = new Map<string, string>();
  const decisions = decideBatch(lines, await loadOurs(ctx.db, lines), { allowRecover: true, merchantId }, claimed);

  // Results we missed: apply them (network calls, outside any transaction), then look again.
  const recoverAt = decisions.flatMap((d, i) => (d.kind === "recover" ? [i] : []));
  const resolvedAttempts = new Map<string, string[]>();
  if (recoverAt.length > 0) {
    for (const piId of new Set(recoverAt.map((i) => (decisions[i] as { paymentIntentId: string }).paymentIntentId))) {
      resolvedAttempts.set(piId, await recoverIntent(ctx, piId));
    }
    const again = recoverAt.map((i) => lines[i]!);
    const second = decideBatch(again, await loadOurs(ctx.db, again), { allowRecover: false, merchantId }, claimed);
    for (const [k, i] of recoverAt.entries()) decisions[i] = second[k]!;
  }
  const recovered = new Set(recoverAt);

  await ctx.db.transaction(async (tx) => {
    const settle: { bt: string; line: string }[] = [];
    for (const [i, d] of decisions.entries()) {
      const line = lines[i]!;
      if (recovered.has(i) && (d.kind === "matched" || d.kind === "fee_repair")) {
        await insertRepair(tx, {
          runId,
          merchantId: d.merchantId,
          kind: "missed_apply",
          pspBalanceTransactionId: line.id,
          paymentIntentId: d.paymentIntentId,
          ours: { resolved_attempts: d.paymentIntentId ? (resolvedAttempts.get(d.paymentIntentId) ?? []) : [] },
          theirs: theirsOf(line),
          detail: `The PSP reported ${line.type} ${line.source} whose result Payrail had not applied; the PSP's answer was applied.`,
        });
      }
      count(d, recovered.has(i), counts);
      switch (d.kind) {
        case "matched":
          if (d.bt) settle.push({ bt: d.bt.id, line: line.id });
          break;
        case "fee_repair": {
          const journal = feeAdjustmentJournal({ lineId: line.id, ourFee: d.ourFee, theirFee: d.theirFee });
          await postJournal(tx, {
            merchantId: d.merchantId,
            currency: d.currency,
            paymentIntentId: d.paymentIntentId,
            memo: `reconciliation ${runId}: PSP fee ${d.theirFee} on ${line.id}, booked ${d.ourFee} on ${d.bt.id}`,
            ...journal,
          });
          await insertRepair(tx, {
            runId,
            merchantId: d.merchantId,
            kind: "fee_adjustment",
            pspBalanceTransactionId: line.id,
            paymentIntentId: d.paymentIntentId,
            journalReference: journal.reference,
            ours: { balance_transaction: d.bt.id, fee: d.ourFee.toString() },
            theirs: theirsOf(line),
            detail: `Fee of ${line.source}: the PSP withheld ${d.theirFee}, Payrail had booked ${d.ourFee}; the difference was journaled.`,
          });
          settle.push({ bt: d.bt.id, line: line.id });
          break;
        }
        case "exception":
          await recordException(tx, {
            merchantId: d.merchantId,
            kind: d.exceptionKind,
            source: "reconciliation",
            detail: d.detail,
            dedupeKey: lineExceptionKey(d.exceptionKind, line.id),
            paymentIntentId: d.paymentIntentId,
            refundId: d.refundId,
            pspReference: line.id,
            ours: d.ours,
            theirs: d.theirs,
          });
          break;
        case "unattributed":
          await insertUnattributed(tx, runId, line);
          break;
        default:
          break;
      }
    }
    await settleBalanceTransactions(tx, settle);
  });
}

function count(d: Decision, recovered: boolean, counts: RunCounts): void {
  switch (d.kind) {
    case "matched":
      if (recovered) counts.repaired++;
      else counts.matched++;
      break;
    case "fee_repair":
      counts.repaired++;
      break;
    case "exception":
    case "unattributed":
    case "recover": // not reachable after the second look
      counts.exceptions++;
      break;
    case "skipped":
      counts.skipped++;
      break;
    case "out_of_scope":
      break;
  }
}

/** Our balance transactions of the period that no PSP line settled: each becomes a missing_at_psp exception. */
async function reportMissingAtPsp(ctx: ReconciliationContext, runId: string, p: { from: Date; to: Date; merchantId: string | null }, limit: number): Promise<number> {
  let found = 0;
  let after: { cursor: string; id: string } | null = null;
  for (;;) {
    const page = await unsettledPage(ctx.db, { ...p, after, limit });
    if (page.length === 0) return found;
    await ctx.db.transaction(async (tx) => {
      for (const b of page) {
        await recordException(tx, {
          merchantId: b.merchant_id,
          kind: "missing_at_psp",
          source: "reconciliation",
          detail: `Our ${b.type} ${b.id} of ${b.amount} ${b.currency} (${b.source_id}) is not in the PSP's balance transactions (run ${runId}).`,
          dedupeKey: `recon:missing_at_psp:${b.id}`,
          paymentIntentId: b.payment_intent_id,
          refundId: b.type === "refund" ? b.source_id : null,
          ours: { balance_transaction: b.id, type: b.type, source: b.source_id, amount: b.amount.toString(), fee: b.fee.toString(), currency: b.currency },
          theirs: { balance_transaction: null },
        });
      }
    });
    found += page.length;
    const last = page[page.length - 1]!;
    after = { cursor: last.cursor, id: last.id };
  }
}

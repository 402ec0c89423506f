import type { DbOrTx } from "@/db/client";
import { pipelined } from "@/db/pipelined";
import { DomainError, isDomainError } from "../errors";
import { derivedId, newId } from "../ids";
import { postJournal, refundJournal } from "../ledger";
import { chargeAfterRefund } from "../charges/record";
import { parseAmountMinor } from "../money/money";
import { finish, type CallOptions, type PaymentsContext } from "../payments/context";
import { newAttempt, pspUnavailable } from "../payments/orchestrator";
import { requireIntent } from "../payments/apply";
import { inRequestWindowMs, NotYetConverged } from "../payments/converge";
import { crashAfterPsp } from "../payments/crash-hook";
import {
  findAttempt,
  findPendingAttempt,
  recordEvent,
  updateAttempt,
  updatePaymentIntent,
  type AttemptRow,
  type PaymentIntentRow,
} from "../payments/repository";
import { committedRefundTotal, findRefund, insertRefund, updateRefund, type RefundRow } from "./repository";
import type { CreateRefundInput } from "./schemas";
import { serializePaymentIntent, serializeRefund } from "../payments/serialize";
import { transition } from "../payments/state-machine";
import type { RefundResult } from "../psp/types";
import { compareCurrency, settleAmount } from "../payments/psp-compare";
import { recordPspDisagreements } from "../payments/psp-disagreements";

type Started = { kind: "done"; refund: RefundRow } | { kind: "call"; pi: PaymentIntentRow; refund: RefundRow; attempt: AttemptRow };

/**
 * Creates a refund: several partial refunds are allowed up to the captured amount. The refund is
 * recorded (pending) before the PSP call; a retried request with the same key finds the same refund.
 */
export async function createRefund(
  ctx: PaymentsContext,
  merchantId: string,
  input: CreateRefundInput,
  opts: CallOptions = {},
): Promise<RefundRow> {
  const refundId = opts.requestKey ? derivedId("re", merchantId, opts.requestKey) : newId("re");
  const started: Started = await ctx.db.transaction(async (tx) => {
    const [pi, existing] = await pipelined([
      requireIntent(tx, merchantId, input.payment_intent, { lock: true }),
      findRefund(tx, merchantId, refundId), // pipelined: runs after the lock is granted
    ]);
    if (existing) {
      const pending = existing.status === "pending" ? await findPendingAttempt(tx, pi.id, "refund", existing.id) : undefined;
      if (pending) return { kind: "call", pi, refund: existing, attempt: pending };
      await finish(tx, opts, { ok: true, value: existing });
      return { kind: "done", refund: existing };
    }
    if (pi.status !== "refunded") transition(pi.status, "refund_partial", pi.id); // refundable states only
    const available = pi.amountReceived - (await committedRefundTotal(tx, pi.id));
    if (pi.status === "refunded" || available <= 0n) {
      throw new DomainError("charge_already_refunded", `${pi.id} has already been fully refunded.`, { param: "payment_intent" });
    }
    const amount = input.amount === undefined ? available : parseAmountMinor(input.amount);
    if (amount > available) {
      throw new DomainError(
        "amount_too_large",
        `Refund amount (${amount}) is greater than the unrefunded amount (${available}) of ${pi.id}.`,
        { param: "amount" },
      );
    }
    const { row: refund } = await insertRefund(tx, {
      id: refundId,
      merchantId,
      paymentIntentId: pi.id,
      amount,
      currency: pi.currency,
      status: "pending",
      reason: input.reason ?? null,
      metadata: input.metadata ?? {},
      chargeId: pi.latestChargeId,
    });
    const [attempt] = await pipelined([
      newAttempt(tx, pi, "refund", amount, { refundId: refund.id }),
      recordEvent(tx, merchantId, "refund.created", refund.id, serializeRefund(refund)),
    ]);
    return { kind: "call", pi, refund, attempt };
  });
  if (started.kind === "done") return started.refund;
  return runRefund(ctx, started.pi, started.refund, started.attempt, opts);
}

export async function runRefund(ctx: PaymentsContext, pi: PaymentIntentRow, refund: RefundRow, attempt: AttemptRow, opts: CallOptions = {}) {
  if (!pi.pspPaymentIntentId) throw new DomainError("internal_error", `${pi.id} has no PSP reference.`);
  const result = await crashAfterPsp(
    "refund",
    ctx.psp.refund({
    idempotencyKey: attempt.pspIdempotencyKey,
    pspPaymentIntentId: pi.pspPaymentIntentId,
    refundId: refund.id,
    amount: attempt.amount,
    reason: refund.reason,
  }),
  );
  if (result.outcome === "unknown") throw pspUnavailable(pi.id, result.reason);
  return ctx.db.transaction(async (tx) => {
    const applied = await applyRefundResult(tx, pi.merchantId, refund.id, attempt.id, result);
    await finish(tx, opts, { ok: true, value: applied });
    return applied;
  });
}

/**
 * A refund the PSP accepted as pending: asks the PSP for its status and applies it (journal on
 * success; on failure the amount is released, since failed refunds do not count as committed).
 */
export async function pollPendingRefund(ctx: PaymentsContext, refund: RefundRow, attempt: AttemptRow, pspRefundId = refund.pspRefundId): Promise<RefundRow> {
  if (!pspRefundId) throw new DomainError("internal_error", `${refund.id} has no PSP reference.`);
  const result = await ctx.psp.retrieveRefund(pspRefundId);
  if (result.outcome === "unknown") throw pspUnavailable(refund.id, result.reason);
  return ctx.db.transaction((tx) => applyRefundResult(tx, refund.merchantId, refund.id, attempt.id, result));
}

/**
 * A PSP event about one of our refunds: ask the PSP for the refund and apply its status through
 * the refund apply path (journal on success, amount released on failure). The event's PSP refund
 * id serves when the crash came before we recorded it. A refund already final is left as it is, so
 * duplicates and late events change nothing. Throws NotYetConverged to be retried.
 */
export async function syncRefundWithPsp(ctx: PaymentsContext, refund: RefundRow, hintPspRefundId: string | null, now = new Date()): Promise<"applied" | "ignored"> {
  if (refund.status !== "pending") return "ignored";
  const attempt = await findPendingAttempt(ctx.db, refund.paymentIntentId, "refund", refund.id);
  if (!attempt) return "ignored";
  if (!attempt.pspReference && now.getTime() - attempt.createdAt.getTime() < inRequestWindowMs()) {
    throw new NotYetConverged(`the refund call ${attempt.id} of ${refund.id} may still be running in its request`);
  }
  const pspRefundId = refund.pspRefundId ?? hintPspRefundId;
  if (!pspRefundId) return "ignored";
  try {
    const after = await pollPendingRefund(ctx, refund, attempt, pspRefundId);
    return after.status === "pending" && after.pspRefundId === refund.pspRefundId ? "ignored" : "applied";
  } catch (e) {
    if (isDomainError(e) && e.code === "psp_unavailable") throw new NotYetConverged(`the PSP did not answer for ${refund.id}`);
    throw e;
  }
}

/** Applies the PSP's answer; idempotent: a refund that is no longer pending is returned as is. */
export async function applyRefundResult(
  tx: DbOrTx,
  merchantId: string,
  refundId: string,
  attemptId: string,
  result: Exclude<RefundResult, { outcome: "unknown" }>,
): Promise<RefundRow> {
  const current = await findRefund(tx, merchantId, refundId);
  if (!current) throw new DomainError("resource_missing", `No such refund: '${refundId}'`);
  // The intent's row lock serializes refunds of one payment; re-read the refund and attempt under it.
  const [pi, refund, attempt] = await pipelined([
    requireIntent(tx, merchantId, current.paymentIntentId, { lock: true }),
    findRefund(tx, merchantId, refundId).then((r) => r!),
    findAttempt(tx, attemptId),
  ]);
  if (refund.status !== "pending" || !attempt || attempt.status !== "pending") return refund;

  // Compare step (rule in payments/psp-compare.ts): a smaller refund than asked is booked as the
  // PSP made it; a larger one or one in another currency books ours (never more than refundable).
  let amount = refund.amount;
  if (result.outcome !== "failed") {
    const currency = compareCurrency(refund.currency, result.currency);
    const settled = settleAmount("amount", refund.amount, refund.amount, result.amount, 1n);
    await recordPspDisagreements(
      tx,
      { merchantId, paymentIntentId: pi.id, refundId: refund.id, attemptId: attempt.id, operation: "refund", pspReference: result.pspRefundId },
      [...currency, ...settled.disagreements],
    );
    if (currency.length === 0) amount = settled.amount;
  }

  switch (result.outcome) {
    case "pending": {
      // The attempt stays pending with the PSP's refund id: recovery asks the PSP for the final
      // status (retrieveRefund) until webhooks report it. Nothing is booked yet.
      if (attempt.pspReference === result.pspRefundId && refund.pspRefundId === result.pspRefundId) return refund;
      await updateAttempt(tx, attempt.id, { pspReference: result.pspRefundId });
      return updateRefund(tx, refund.id, { pspRefundId: result.pspRefundId });
    }
    case "failed": {
      await updateAttempt(tx, attempt.id, { status: "failed", failureCode: result.code, failureMessage: result.message });
      const failed = await updateRefund(tx, refund.id, { status: "failed", failureReason: result.code, pspRefundId: result.pspRefundId });
      await recordEvent(tx, merchantId, "refund.failed", failed.id, serializeRefund(failed));
      return failed;
    }
    case "succeeded": {
      const [, done] = await pipelined([
        updateAttempt(tx, attempt.id, { status: "succeeded", pspReference: result.pspRefundId }),
        updateRefund(tx, refund.id, { status: "succeeded", pspRefundId: result.pspRefundId, amount }),
      ]);
      await settleRefundOnIntent(tx, pi, done);
      return done;
    }
  }
}

/** Moves the intent to partially_refunded / refunded and posts the refund journal. */
export async function settleRefundOnIntent(tx: DbOrTx, pi: PaymentIntentRow, refund: RefundRow): Promise<void> {
  const refunded = pi.amountRefunded + refund.amount;
  const event = refunded >= pi.amountReceived ? "refund_full" : "refund_partial";
  const journal = refundJournal({ refundId: refund.id, amount: refund.amount });
  const updated = await updatePaymentIntent(tx, pi, { status: transition(pi.status, event, pi.id), amountRefunded: refunded });
  await pipelined([
    postJournal(tx, { merchantId: pi.merchantId, currency: pi.currency, paymentIntentId: pi.id, refundId: refund.id, ...journal }),
    recordEvent(tx, pi.merchantId, "refund.updated", refund.id, serializeRefund(refund)),
    recordEvent(tx, pi.merchantId, "charge.refunded", pi.id, serializePaymentIntent(updated)),
  ]);
  await chargeAfterRefund(tx, pi, refund, journal);
}

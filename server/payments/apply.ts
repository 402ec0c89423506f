import type { DbOrTx } from "@/db/client";
import { pipelined } from "@/db/pipelined";
import { DomainError } from "../errors";
import {
  authorizationJournal,
  captureJournal,
  postJournal,
  releaseJournal,
  type JournalDraft,
} from "../ledger";
import type { AuthorizeResult, CancelResult, CaptureResult } from "../psp/types";
import type { Outcome } from "./context";
import { checkAuthorization, compareCurrency, compareValue, settleAmount } from "./psp-compare";
import { recordPspDisagreements } from "./psp-disagreements";
import {
  findAttempt,
  findPaymentIntent,
  lockPaymentIntent,
  recordEvent,
  updateAttempt,
  updatePaymentIntent,
  type PaymentIntentRow,
} from "./repository";
import { chargeAfterAuthorization, chargeAfterCapture } from "../charges/record";
import { chargeIdFor } from "../charges/ids";
import { completeCheckoutForIntent } from "../checkout/complete";
import { serializePaymentIntent } from "./serialize";
import { transition } from "./state-machine";

export type Applied = Outcome<PaymentIntentRow>;

export async function requireIntent(db: DbOrTx, merchantId: string, id: string, opts: { lock?: boolean } = {}) {
  const pi = opts.lock ? await lockPaymentIntent(db, merchantId, id) : await findPaymentIntent(db, merchantId, id);
  if (!pi) throw new DomainError("resource_missing", `No such payment_intent: '${id}'`, { param: "intent" });
  return pi;
}

export async function post(tx: DbOrTx, pi: PaymentIntentRow, draft: JournalDraft): Promise<void> {
  await postJournal(tx, { merchantId: pi.merchantId, currency: pi.currency, paymentIntentId: pi.id, ...draft });
}

async function emit(tx: DbOrTx, type: string, pi: PaymentIntentRow) {
  await recordEvent(tx, pi.merchantId, type, pi.id, serializePaymentIntent(pi));
}

/**
 * Applies the PSP's answer to an authorization attempt. Runs in the transaction that also stores
 * the idempotent response. An attempt that is no longer pending was applied by someone else
 * (a concurrent retry or recovery): the current state is returned unchanged.
 */
export async function applyAuthorizeResult(
  tx: DbOrTx,
  merchantId: string,
  paymentIntentId: string,
  attemptId: string,
  result: Exclude<AuthorizeResult, { outcome: "unknown" }>,
): Promise<Applied> {
  // Pipelined on the transaction's connection; the attempt is read after the lock is granted.
  const [pi, attempt] = await pipelined([requireIntent(tx, merchantId, paymentIntentId, { lock: true }), findAttempt(tx, attemptId)]);
  if (!attempt || (attempt.status !== "pending" && attempt.status !== "requires_action")) return { ok: true, value: pi };
  const pspIds = { pspPaymentIntentId: result.pspPaymentIntentId ?? pi.pspPaymentIntentId };

  // Compare step: what the PSP reports against what we recorded (rule in psp-compare.ts).
  const checked = checkAuthorization({ amount: attempt.amount, currency: attempt.currency, captureMethod: pi.captureMethod }, result);
  await recordPspDisagreements(
    tx,
    { merchantId, paymentIntentId: pi.id, attemptId: attempt.id, operation: "authorize", pspReference: result.pspPaymentIntentId },
    checked.disagreements,
  );
  if (checked.unbookable) return applyUnbookableAuthorization(tx, pi, attempt.id, pspIds);

  switch (result.outcome) {
    case "authorized": {
      const authorization = authorizationJournal({ attemptId: attempt.id, amount: checked.amount });
      const updated = await updatePaymentIntent(tx, pi, {
        ...pspIds,
        status: transition(pi.status, "authorization_succeeded", pi.id),
        amountCapturable: checked.amount,
        pspChargeId: result.pspChargeId,
        latestChargeId: chargeIdFor(pi.merchantId, attempt.id),
        nextAction: null,
      });
      await pipelined([
        updateAttempt(tx, attempt.id, { status: "succeeded", pspReference: result.pspPaymentIntentId }),
        post(tx, updated, authorization),
        emit(tx, "payment_intent.amount_capturable_updated", updated),
      ]);
      await chargeAfterAuthorization(tx, updated, attempt, result);
      await completeCheckoutForIntent(tx, updated);
      return { ok: true, value: updated };
    }
    case "captured": {
      const captured = checked.amount;
      // Built before any statement starts: a builder that throws must not leave statements running.
      const journals = [
        authorizationJournal({ attemptId: attempt.id, amount: attempt.amount }),
        captureJournal({ attemptId: attempt.id, amount: captured, fee: result.fee ?? 0n }),
        ...(attempt.amount > captured ? [releaseJournal({ reference: `release:${attempt.id}`, amount: attempt.amount - captured })] : []),
      ];
      const updated = await updatePaymentIntent(tx, pi, {
        ...pspIds,
        status: transition(pi.status, "authorization_captured", pi.id),
        amountCapturable: 0n,
        amountReceived: captured,
        pspChargeId: result.pspChargeId,
        latestChargeId: chargeIdFor(pi.merchantId, attempt.id),
        nextAction: null,
      });
      await pipelined([
        updateAttempt(tx, attempt.id, { status: "succeeded", pspReference: result.pspPaymentIntentId }),
        ...journals.map((j) => post(tx, updated, j)),
        emit(tx, "payment_intent.succeeded", updated),
      ]);
      await chargeAfterAuthorization(tx, updated, attempt, result, journals[1]);
      await completeCheckoutForIntent(tx, updated);
      return { ok: true, value: updated };
    }
    case "requires_action": {
      const updated = await updatePaymentIntent(tx, pi, {
        ...pspIds,
        status: transition(pi.status, "authorization_requires_action", pi.id),
        nextAction: result.nextAction,
      });
      await pipelined([
        updateAttempt(tx, attempt.id, { status: "requires_action", pspReference: result.pspPaymentIntentId }),
        emit(tx, "payment_intent.requires_action", updated),
      ]);
      return { ok: true, value: updated };
    }
    case "declined":
    case "failed": {
      const isCard = result.outcome === "declined";
      const lastPaymentError = {
        type: isCard ? "card_error" : "invalid_request_error",
        code: result.code,
        ...(result.declineCode ? { decline_code: result.declineCode } : {}),
        message: result.message,
        payment_method: { id: attempt.paymentMethod },
      };
      const updated = await updatePaymentIntent(tx, pi, {
        ...pspIds,
        status: transition(pi.status, "authorization_declined", pi.id),
        lastPaymentError,
        nextAction: null,
        // A decline is a failed charge at the network (Stripe's latest_charge names it).
        ...(isCard ? { latestChargeId: chargeIdFor(pi.merchantId, attempt.id) } : {}),
      });
      await pipelined([
        updateAttempt(tx, attempt.id, { status: "failed", failureCode: result.declineCode ?? result.code, failureMessage: result.message }),
        emit(tx, "payment_intent.payment_failed", updated),
      ]);
      await chargeAfterAuthorization(tx, updated, attempt, result);
      const body = { code: result.code, payment_intent: serializePaymentIntent(updated) };
      const error = isCard
        ? new DomainError("card_declined", result.message, { declineCode: result.declineCode, extra: body })
        : new DomainError("parameter_invalid", result.message, { param: "payment_method", extra: body });
      return { ok: false, error };
    }
  }
}

export async function applyCaptureResult(
  tx: DbOrTx,
  merchantId: string,
  paymentIntentId: string,
  attemptId: string,
  result: Exclude<CaptureResult, { outcome: "unknown" }>,
): Promise<Applied> {
  // Pipelined on the transaction's connection; the attempt is read after the lock is granted.
  const [pi, attempt] = await pipelined([requireIntent(tx, merchantId, paymentIntentId, { lock: true }), findAttempt(tx, attemptId)]);
  if (!attempt || attempt.status !== "pending") return { ok: true, value: pi };

  if (result.outcome === "failed") {
    const status = transition(pi.status, "capture_failed", pi.id);
    await pipelined([
      updatePaymentIntent(tx, pi, { status }),
      updateAttempt(tx, attempt.id, { status: "failed", failureCode: result.code, failureMessage: result.message }),
    ]);
    return { ok: false, error: new DomainError("parameter_invalid", `Capture of ${pi.id} failed: ${result.message}`, { extra: { code: result.code } }) };
  }
  // Compare step: the PSP may capture less than asked (applied) but never more than was held (capped).
  const settled = settleAmount("amount_received", attempt.amount, pi.amountCapturable, result.amountCaptured);
  await recordPspDisagreements(
    tx,
    { merchantId, paymentIntentId: pi.id, attemptId: attempt.id, operation: "capture", pspReference: result.pspChargeId },
    [...compareCurrency(pi.currency, result.currency), ...settled.disagreements],
  );
  const captured = settled.amount;
  const released = pi.amountCapturable - captured;
  const journals = [
    captureJournal({ attemptId: attempt.id, amount: captured, fee: result.fee ?? 0n }),
    ...(released > 0n ? [releaseJournal({ reference: `release:${attempt.id}`, amount: released })] : []),
  ];
  const updated = await updatePaymentIntent(tx, pi, {
    status: transition(pi.status, "capture_succeeded", pi.id),
    amountReceived: captured,
    amountCapturable: 0n,
    pspChargeId: result.pspChargeId ?? pi.pspChargeId,
  });
  await pipelined([
    updateAttempt(tx, attempt.id, { status: "succeeded", pspReference: result.pspChargeId }),
    ...journals.map((j) => post(tx, updated, j)),
    emit(tx, "payment_intent.succeeded", updated),
  ]);
  await chargeAfterCapture(tx, updated, journals[0]!, captured);
  return { ok: true, value: updated };
}

export async function applyCancelResult(
  tx: DbOrTx,
  merchantId: string,
  paymentIntentId: string,
  attemptId: string,
  result: Exclude<CancelResult, { outcome: "unknown" }>,
): Promise<Applied> {
  // Pipelined on the transaction's connection; the attempt is read after the lock is granted.
  const [pi, attempt] = await pipelined([requireIntent(tx, merchantId, paymentIntentId, { lock: true }), findAttempt(tx, attemptId)]);
  if (!attempt || attempt.status !== "pending") return { ok: true, value: pi };

  if (result.outcome === "failed") {
    const event = pi.amountCapturable > 0n ? "cancel_failed" : "cancel_failed_unauthenticated";
    const updated = await updatePaymentIntent(tx, pi, { status: transition(pi.status, event, pi.id) });
    await updateAttempt(tx, attempt.id, { status: "failed", failureCode: result.code, failureMessage: result.message });
    return { ok: false, error: new DomainError("payment_intent_unexpected_state", `Cancel of ${updated.id} failed: ${result.message}`) };
  }
  // Compare step: a cancelled PSP intent holds nothing and took nothing; anything else is recorded.
  await recordPspDisagreements(
    tx,
    { merchantId, paymentIntentId: pi.id, attemptId: attempt.id, operation: "cancel", pspReference: pi.pspPaymentIntentId },
    [...compareCurrency(pi.currency, result.currency), ...compareValue("amount_received", pi.amountReceived, result.amountReceived)],
  );
  const held = pi.amountCapturable;
  const journals = held > 0n ? [releaseJournal({ reference: `release:${attempt.id}`, amount: held })] : [];
  const updated = await updatePaymentIntent(tx, pi, {
    status: transition(pi.status, "cancel_succeeded", pi.id),
    amountCapturable: 0n,
    nextAction: null,
  });
  await pipelined([
    updateAttempt(tx, attempt.id, { status: "succeeded" }),
    ...journals.map((j) => post(tx, updated, j)),
    emit(tx, "payment_intent.canceled", updated),
  ]);
  return { ok: true, value: updated };
}

/**
 * The PSP authorized or captured in a currency other than ours: nothing of it can be booked. The
 * payment ends `failed` (terminal, shown as canceled) with nothing in the ledger; the finance
 * exception recorded by the compare step carries both sides so the money is returned at the PSP.
 */
async function applyUnbookableAuthorization(
  tx: DbOrTx,
  pi: PaymentIntentRow,
  attemptId: string,
  pspIds: { pspPaymentIntentId: string | null },
): Promise<Applied> {
  const message = "The payment processor reported a result that does not match this payment; it was not booked and is under review.";
  const updated = await updatePaymentIntent(tx, pi, {
    ...pspIds,
    status: transition(pi.status, "authorization_failed", pi.id),
    lastPaymentError: { type: "api_error", code: "psp_result_mismatch", message },
    nextAction: null,
  });
  await pipelined([
    updateAttempt(tx, attemptId, { status: "failed", failureCode: "psp_result_mismatch", failureMessage: message }),
    emit(tx, "payment_intent.payment_failed", updated),
  ]);
  return { ok: true, value: updated };
}

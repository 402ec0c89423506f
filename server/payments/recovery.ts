import { isDomainError } from "../errors";
import { recordException } from "../exceptions/repository";
import { logger } from "../logger";
import { pollPendingRefund, runRefund } from "../refunds/service";
import { refreshRequiresAction } from "./authentication";
import { settleFromPsp } from "./converge";
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff";
import type { PaymentsContext } from "./context";
import { runAuthorization, runCancel, runCapture } from "./orchestrator";
import { findRefund } from "../refunds/repository";
import { findAttempt, findPaymentIntent, listDueAttempts, updateAttemptIf, type AttemptRow } from "./repository";

export interface RecoveryOptions {
  /** Pending attempts younger than this are probably still running inside their request. */
  olderThanMs?: number;
  /** How long a customer has to authenticate (3-D Secure) before the sweep asks the PSP. */
  requiresActionOlderThanMs?: number;
  /** Attempts looked at per sweep. */
  limit?: number;
  /** Tries before an attempt is handed to finance as an exception. */
  maxTries?: number;
  backoff?: BackoffPolicy;
  /** The sweep's clock (tests move it forward instead of sleeping). */
  now?: Date;
}

export const DEFAULT_MAX_TRIES = 8;

export interface RecoveryReport {
  examined: number;
  resolved: number;
  stillUnknown: number;
  exhausted: number;
}

/**
 * Resolves PSP calls whose outcome was never applied (timeout, crash between call and apply),
 * refunds the PSP left pending, and 3-D Secure challenges the customer finished without anyone
 * asking. A pending call is first looked up at the PSP (retrieve, then the orchestrator's apply);
 * only a call the PSP shows no effect of is repeated with its recorded idempotency key (the rule is
 * at resolveAttempt). Attempts are taken by due time: one that is still
 * unresolved is pushed back with exponential backoff, so hopeless attempts never block newer ones,
 * and after `maxTries` it becomes a finance exception. Safe to run concurrently with requests.
 */
export async function recoverStaleAttempts(ctx: PaymentsContext, opts: RecoveryOptions = {}): Promise<RecoveryReport> {
  const now = opts.now ?? new Date();
  const due = await listDueAttempts(ctx.db, {
    now,
    pendingCreatedBefore: new Date(now.getTime() - (opts.olderThanMs ?? 30_000)),
    actionCreatedBefore: new Date(now.getTime() - (opts.requiresActionOlderThanMs ?? 15 * 60_000)),
    limit: opts.limit ?? 100,
  });
  const report: RecoveryReport = { examined: due.length, resolved: 0, stillUnknown: 0, exhausted: 0 };
  for (const attempt of due) {
    const answer = await tryResolve(ctx, attempt, now);
    // Whatever the call said, the attempt's row tells whether it was resolved.
    const after = await findAttempt(ctx.db, attempt.id);
    if (!after || after.status !== attempt.status) {
      report.resolved++;
      continue;
    }
    const verdict = await postpone(ctx, after, answer, now, opts);
    if (verdict === "exhausted") report.exhausted++;
    else report.stillUnknown++;
  }
  return report;
}

/** The PSP's answer as recorded for finance: never request data, only what the PSP said. */
type PspAnswer = Record<string, unknown>;

/**
 * Marks on an answer for postpone (never stored): `keep_polling` for a call the PSP reports as
 * still processing (polled with backoff, never re-sent, never handed to finance for that alone);
 * `give_up` for a call that must not be re-sent (its PSP key may have expired).
 */
const HOLD = Symbol("hold");
type Answered = PspAnswer & { [HOLD]?: "keep_polling" | "give_up" };

async function tryResolve(ctx: PaymentsContext, attempt: AttemptRow, now: Date): Promise<Answered> {
  try {
    return await resolveAttempt(ctx, attempt, now);
  } catch (e) {
    if (isDomainError(e)) {
      // The PSP's own text travels in details.log (never sent to clients); finance may read it.
      const pspReason = e.details.log?.pspReason;
      return { error: e.code, ...(typeof pspReason === "string" ? { psp_reason: pspReason } : {}), message: e.message.slice(0, 300) };
    }
    // Only the class: a database error's message can carry query parameters (request data).
    const errorClass = e instanceof Error ? e.name : typeof e;
    logger.warn({ attemptId: attempt.id, kind: attempt.kind, errorClass }, "recovery try failed");
    return { error: "internal_error", error_class: errorClass };
  }
}

/**
 * How long a PSP idempotency key protects a repeated call (Stripe keeps keys for 24 hours), less
 * a margin for clocks and the time the call takes.
 */
export const PSP_KEY_SAFE_MS = 23 * 3600 * 1000;

/**
 * The rule: ask before re-sending. Where the PSP intent is known, recovery first retrieves it and
 * applies what it shows (the charge made before a crash, a capture or void that went through)
 * through the orchestrator's apply functions; a call the PSP reports as processing stays in flight
 * and is polled, never re-sent. Only a call the PSP shows no effect of is sent again, with its
 * recorded key: for a capture or a void that is safe at any age (the PSP refuses a second one on
 * the same intent), and a re-confirmation is only made when the PSP shows the intent uncharged.
 * A call that creates something at the PSP (the first authorization, whose PSP intent we never
 * learnt, or a refund) is repeated only while its key is still remembered by the PSP: after that a
 * repeat could charge or refund twice, so the attempt goes to finance instead (reconciliation
 * and the PSP's webhooks, which name the PSP object, settle it).
 */
export async function resolveAttempt(ctx: PaymentsContext, attempt: AttemptRow, now: Date = new Date()): Promise<Answered> {
  const settled = { status: "settled" };
  const pi = await findPaymentIntent(ctx.db, attempt.merchantId, attempt.paymentIntentId);
  if (!pi) return { error: "resource_missing" };
  if (attempt.status === "requires_action") {
    const refreshed = await refreshRequiresAction(ctx, attempt.merchantId, pi.id);
    if (!refreshed.ok) throw refreshed.error;
    return { status: refreshed.value.status };
  }
  const keyExpired = now.getTime() - attempt.createdAt.getTime() >= PSP_KEY_SAFE_MS;
  if (attempt.kind !== "refund" && pi.pspPaymentIntentId) {
    const known = await settleFromPsp(ctx, pi, { ...attempt, kind: attempt.kind });
    if (known.outcome === "applied") return settled;
    if (known.outcome === "processing") return { status: "processing", psp_status: known.pspStatus, [HOLD]: "keep_polling" };
    if (known.outcome === "unknown") return { error: "psp_unavailable", psp_reason: known.reason.slice(0, 200) };
  } else if (attempt.kind === "authorize" && keyExpired) {
    return { error: "psp_key_expired", message: "The PSP intent of this authorization is unknown and its key has expired: not re-sent.", [HOLD]: "give_up" };
  }
  switch (attempt.kind) {
    case "authorize":
      await runAuthorization(ctx, pi, attempt);
      return settled;
    case "capture":
      await runCapture(ctx, pi, attempt);
      return settled;
    case "cancel":
      await runCancel(ctx, pi, attempt);
      return settled;
    case "refund": {
      const refund = attempt.refundId ? await findRefund(ctx.db, attempt.merchantId, attempt.refundId) : undefined;
      if (!refund) return { error: "resource_missing" };
      // A refund the PSP already accepted as pending is asked for its status; otherwise the call is repeated.
      if (attempt.pspReference && refund.pspRefundId) {
        const polled = await pollPendingRefund(ctx, refund, attempt);
        return { status: polled.status, psp_refund_id: polled.pspRefundId };
      }
      if (keyExpired) {
        return { error: "psp_key_expired", message: "The refund call's key has expired: not re-sent.", [HOLD]: "give_up" };
      }
      const done = await runRefund(ctx, pi, refund, attempt);
      return { status: done.status, psp_refund_id: done.pspRefundId };
    }
  }
}

/**
 * Records a try that did not resolve the attempt. Below the bound: next try after a backoff. At the
 * bound, a pending attempt becomes `exhausted` with a recovery_exhausted exception holding the
 * PSP's last answer. The payment intent keeps its in-flight status (authorizing, capturing,
 * cancelling) and a refund stays pending, because that is the truth: whether the PSP acted is
 * unknown. Nothing was posted for the attempt (journals are written only when a result is
 * applied), so the ledger stays balanced; the exception is the flag finance works from, and the
 * refund keeps its amount reserved so nothing can be refunded twice meanwhile. An attempt waiting
 * for the customer (3-D Secure) only stops being polled: an abandoned challenge holds no money,
 * and retrieve and confirm still ask the PSP.
 */
async function postpone(ctx: PaymentsContext, attempt: AttemptRow, answer: Answered, now: Date, opts: RecoveryOptions): Promise<"retry" | "exhausted"> {
  const tries = attempt.recoveryTries + 1;
  const lastPspAnswer = { ...answer, at: now.toISOString() };
  const hold = answer[HOLD];
  if (hold === "keep_polling" || (hold !== "give_up" && tries < (opts.maxTries ?? DEFAULT_MAX_TRIES))) {
    const nextAttemptAt = new Date(now.getTime() + backoffDelayMs(tries, opts.backoff ?? DEFAULT_BACKOFF));
    await updateAttemptIf(ctx.db, attempt.id, attempt.status, { recoveryTries: tries, nextAttemptAt, lastPspAnswer });
    return "retry";
  }
  if (attempt.status === "requires_action") {
    await updateAttemptIf(ctx.db, attempt.id, "requires_action", { recoveryTries: tries, nextAttemptAt: null, lastPspAnswer });
    return "exhausted";
  }
  await ctx.db.transaction(async (tx) => {
    const changed = await updateAttemptIf(tx, attempt.id, "pending", { status: "exhausted", recoveryTries: tries, nextAttemptAt: null, lastPspAnswer });
    if (!changed) return; // resolved meanwhile
    await recordException(tx, {
      merchantId: attempt.merchantId,
      kind: "recovery_exhausted",
      source: "recovery",
      detail: `The ${attempt.kind} call ${attempt.id} of ${attempt.paymentIntentId} could not be resolved after ${tries} tries; the PSP's outcome is unknown.`,
      dedupeKey: `recovery_exhausted:${attempt.id}`,
      paymentIntentId: attempt.paymentIntentId,
      refundId: attempt.refundId,
      attemptId: attempt.id,
      pspReference: attempt.pspReference,
      ours: { kind: attempt.kind, amount: attempt.amount.toString(), currency: attempt.currency, tries, psp_idempotency_key: attempt.pspIdempotencyKey },
      theirs: lastPspAnswer,
    });
  });
  logger.warn({ attemptId: attempt.id, kind: attempt.kind, tries }, "attempt handed to finance after bounded recovery tries");
  return "exhausted";
}

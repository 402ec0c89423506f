import { and, eq } from "drizzle-orm";
import { paymentAttempts } from "@/db/schema";
import { isDomainError } from "../errors";
import { logger } from "../logger";
import { findRefund, listStalePendingAttempts, findPaymentIntent, type AttemptRow } from "./repository";
import type { PaymentsContext } from "./context";
import { runAuthorization, runCancel, runCapture } from "./orchestrator";
import { runRefund } from "../refunds/service";
import { applyAuthorizeResult } from "./apply";

export interface RecoveryReport {
  examined: number;
  resolved: number;
  stillUnknown: number;
}

/**
 * Resolves PSP calls whose outcome was never applied (timeout, crash between call and apply):
 * repeats each call with its recorded idempotency key, which the PSP answers from its own record
 * without repeating the effect, and applies the answer. Safe to run concurrently with retries.
 */
export async function recoverStaleAttempts(ctx: PaymentsContext, opts: { olderThanMs?: number; limit?: number } = {}): Promise<RecoveryReport> {
  const stale = await listStalePendingAttempts(ctx.db, new Date(Date.now() - (opts.olderThanMs ?? 30_000)), opts.limit ?? 100);
  const report: RecoveryReport = { examined: stale.length, resolved: 0, stillUnknown: 0 };
  for (const attempt of stale) {
    try {
      await resolveAttempt(ctx, attempt);
      report.resolved++;
    } catch (e) {
      if (isDomainError(e) && e.code !== "psp_unavailable" && e.code !== "internal_error") {
        report.resolved++; // a definite answer (e.g. a decline) was applied
      } else {
        report.stillUnknown++;
        logger.warn({ attemptId: attempt.id, kind: attempt.kind, err: e instanceof Error ? e.message : String(e) }, "attempt still unresolved");
      }
    }
  }
  return report;
}

async function resolveAttempt(ctx: PaymentsContext, attempt: AttemptRow): Promise<void> {
  const pi = await findPaymentIntent(ctx.db, attempt.merchantId, attempt.paymentIntentId);
  if (!pi) return;
  switch (attempt.kind) {
    case "authorize":
      await runAuthorization(ctx, pi, attempt);
      return;
    case "capture":
      await runCapture(ctx, pi, attempt);
      return;
    case "cancel":
      await runCancel(ctx, pi, attempt);
      return;
    case "refund": {
      const refund = attempt.refundId ? await findRefund(ctx.db, attempt.merchantId, attempt.refundId) : undefined;
      if (refund) await runRefund(ctx, pi, refund, attempt);
      return;
    }
  }
}

/**
 * Brings a payment waiting for customer authentication up to date with the PSP (3-D Secure done
 * or failed at the PSP). The webhook path will call the same apply step.
 */
export async function refreshRequiresAction(ctx: PaymentsContext, merchantId: string, paymentIntentId: string) {
  const pi = await findPaymentIntent(ctx.db, merchantId, paymentIntentId);
  if (!pi || pi.status !== "requires_action" || !pi.pspPaymentIntentId) return pi;
  const snap = await ctx.psp.retrieve(pi.pspPaymentIntentId);
  if ("outcome" in snap) return pi;
  const [attempt] = await ctx.db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.paymentIntentId, pi.id), eq(paymentAttempts.kind, "authorize"), eq(paymentAttempts.status, "requires_action")));
  if (!attempt) return pi;
  const base = { pspPaymentIntentId: snap.pspPaymentIntentId };
  const applied = await ctx.db.transaction(async (tx) => {
    switch (snap.status) {
      case "authorized":
        return applyAuthorizeResult(tx, merchantId, pi.id, attempt.id, { outcome: "authorized", ...base, pspChargeId: snap.pspChargeId, amountCapturable: snap.amountCapturable });
      case "captured":
        return applyAuthorizeResult(tx, merchantId, pi.id, attempt.id, { outcome: "captured", ...base, pspChargeId: snap.pspChargeId, amountCaptured: snap.amountReceived, fee: snap.fee });
      case "requires_payment_method":
        return applyAuthorizeResult(tx, merchantId, pi.id, attempt.id, {
          outcome: "declined",
          ...base,
          ...(snap.lastError ?? { code: "authentication_failed", message: "The customer did not complete authentication." }),
        });
      default:
        return { ok: true as const, value: pi };
    }
  });
  return applied.ok ? applied.value : findPaymentIntent(ctx.db, merchantId, pi.id);
}

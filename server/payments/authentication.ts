import type { Db } from "@/db/client";
import type { AuthorizeResult, PspIntentSnapshot } from "../psp/types";
import { applyAuthorizeResult, requireIntent } from "./apply";
import type { Outcome, PaymentsContext } from "./context";
import { findActionAttempt, type PaymentIntentRow } from "./repository";

/**
 * The one path that applies a finished 3-D Secure challenge. Retrieve, confirm and the recovery
 * sweep call refreshRequiresAction (they ask the PSP); the webhook path applies the PSP intent it
 * received with applyAuthenticationSnapshot. Exactly once: the apply step locks the intent and
 * applies only while the authorization attempt still waits for the customer, so concurrent callers
 * post one journal and one event; the others read the state it reached.
 */
export async function refreshRequiresAction(ctx: PaymentsContext, merchantId: string, paymentIntentId: string): Promise<Outcome<PaymentIntentRow>> {
  const pi = await requireIntent(ctx.db, merchantId, paymentIntentId);
  if (pi.status !== "requires_action" || !pi.pspPaymentIntentId) return { ok: true, value: pi };
  const snap = await ctx.psp.retrieve(pi.pspPaymentIntentId);
  if ("outcome" in snap) return { ok: true, value: pi }; // no answer: nothing new is known
  return applyAuthenticationSnapshot(ctx.db, pi, snap);
}

export async function applyAuthenticationSnapshot(db: Db, pi: PaymentIntentRow, snap: PspIntentSnapshot): Promise<Outcome<PaymentIntentRow>> {
  const result = authenticationResultOf(snap);
  const attempt = result && (await findActionAttempt(db, pi.id));
  if (!result || !attempt) return { ok: true, value: await requireIntent(db, pi.merchantId, pi.id) };
  return db.transaction((tx) => applyAuthorizeResult(tx, pi.merchantId, pi.id, attempt.id, result));
}

/** What the PSP's intent says about the challenge; undefined while the customer has not finished. */
export function authenticationResultOf(snap: PspIntentSnapshot): Exclude<AuthorizeResult, { outcome: "unknown" | "requires_action" }> | undefined {
  const base = { pspPaymentIntentId: snap.pspPaymentIntentId, card: snap.card };
  switch (snap.status) {
    case "authorized":
      return { outcome: "authorized", ...base, pspChargeId: snap.pspChargeId, amountCapturable: snap.amountCapturable };
    case "captured":
      return { outcome: "captured", ...base, pspChargeId: snap.pspChargeId, amountCaptured: snap.amountReceived, fee: snap.fee };
    case "requires_payment_method":
      return {
        outcome: "declined",
        ...base,
        ...(snap.lastError ?? { code: "payment_intent_authentication_failure", message: "The customer did not complete authentication." }),
      };
    case "requires_action":
    case "requires_confirmation":
    case "processing":
    case "cancelled":
      return undefined;
  }
}

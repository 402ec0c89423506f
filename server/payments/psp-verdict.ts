import type { AttemptKind } from "@/db/schema/statuses";
import type { AuthorizeResult, CancelResult, CaptureResult, PspIntentSnapshot } from "../psp/types";

/**
 * What the PSP's retrieved intent says about one of our pending attempts. Pure.
 * - `apply`: the PSP shows this call's outcome; apply it with the orchestrator's apply function.
 * - `processing`: the PSP is still working on it; keep the attempt in flight and ask again later,
 *   never send the call again.
 * - `not_reached`: the PSP shows no effect of this call (yet): only repeating the call with its key
 *   can tell (the recovery sweep does that; a webhook leaves it).
 */
export type Verdict<R> = { kind: "apply"; result: R } | { kind: "processing" } | { kind: "not_reached" };

type Final<R> = Exclude<R, { outcome: "unknown" }>;

/**
 * `createdPspIntent`: this attempt created the PSP intent (we had no PSP id before it). Only then
 * is a `requires_payment_method` with an error this attempt's decline; on a re-confirmation it may
 * be the previous attempt's, so the call is repeated (its key replays the true answer).
 */
export function authorizeVerdict(snap: PspIntentSnapshot, createdPspIntent: boolean): Verdict<Final<AuthorizeResult>> {
  const base = { pspPaymentIntentId: snap.pspPaymentIntentId, amount: snap.amount, currency: snap.currency };
  switch (snap.status) {
    case "authorized":
      return { kind: "apply", result: { outcome: "authorized", ...base, pspChargeId: snap.pspChargeId, amountCapturable: snap.amountCapturable, card: snap.card } };
    case "captured":
      return {
        kind: "apply",
        result: { outcome: "captured", ...base, pspChargeId: snap.pspChargeId, amountCaptured: snap.amountReceived, fee: snap.fee, card: snap.card },
      };
    case "requires_action":
      return { kind: "apply", result: { outcome: "requires_action", ...base, nextAction: snap.nextAction ?? {} } };
    case "processing":
      return { kind: "processing" };
    case "requires_payment_method":
      if (createdPspIntent && snap.lastError) {
        return { kind: "apply", result: { outcome: "declined", pspPaymentIntentId: snap.pspPaymentIntentId, pspChargeId: snap.pspChargeId, card: snap.card, ...snap.lastError } };
      }
      return { kind: "not_reached" };
    case "requires_confirmation":
    case "cancelled":
      return { kind: "not_reached" };
  }
}

export function captureVerdict(snap: PspIntentSnapshot): Verdict<Final<CaptureResult>> {
  switch (snap.status) {
    case "captured":
      return {
        kind: "apply",
        result: { outcome: "captured", amountCaptured: snap.amountReceived, fee: snap.fee, pspChargeId: snap.pspChargeId, amount: snap.amount, currency: snap.currency },
      };
    case "processing":
      return { kind: "processing" };
    default:
      return { kind: "not_reached" };
  }
}

export function cancelVerdict(snap: PspIntentSnapshot): Verdict<Final<CancelResult>> {
  switch (snap.status) {
    case "cancelled":
      return { kind: "apply", result: { outcome: "cancelled", amountReceived: snap.amountReceived, amount: snap.amount, currency: snap.currency } };
    case "processing":
      return { kind: "processing" };
    default:
      return { kind: "not_reached" };
  }
}

export function verdictFor(kind: Exclude<AttemptKind, "refund">, snap: PspIntentSnapshot, createdPspIntent: boolean) {
  switch (kind) {
    case "authorize":
      return authorizeVerdict(snap, createdPspIntent);
    case "capture":
      return captureVerdict(snap);
    case "cancel":
      return cancelVerdict(snap);
  }
}

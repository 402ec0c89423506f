import { DomainError } from "../errors";
import type { PaymentStatus } from "@/db/schema/statuses";

/** Everything that can happen to a payment intent. */
export const PAYMENT_EVENTS = [
  "attach_payment_method",
  "confirm", // authorization call about to be made
  "authorization_succeeded",
  "authorization_captured", // automatic capture: authorized and captured in one PSP call
  "authorization_requires_action",
  "authorization_declined",
  "authorization_failed", // the PSP's result cannot be booked (another currency): terminal
  "authentication_completed", // 3-D Secure done, authorization resumes
  "authentication_failed",
  "capture", // capture call about to be made
  "capture_succeeded",
  "capture_failed",
  "cancel", // void call about to be made (or no PSP call needed)
  "cancel_succeeded",
  "cancel_failed",
  "cancel_failed_unauthenticated", // void refused while the customer still had to authenticate
  "refund_partial",
  "refund_full",
  "dispute_opened",
  "dispute_won", // funds reinstated on a payment that had no refund
  "dispute_won_after_refund", // ... on one that was partially refunded before the dispute
  "dispute_lost",
] as const;
export type PaymentEvent = (typeof PAYMENT_EVENTS)[number];

type Table = Partial<Record<PaymentStatus, Partial<Record<PaymentEvent, PaymentStatus>>>>;

/** The only allowed transitions; anything absent is rejected. */
export const TRANSITIONS: Table = {
  created: { attach_payment_method: "requires_confirmation", confirm: "authorizing", cancel: "cancelled" },
  requires_payment_method: { attach_payment_method: "requires_confirmation", confirm: "authorizing", cancel: "cancelled" },
  requires_confirmation: { attach_payment_method: "requires_confirmation", confirm: "authorizing", cancel: "cancelled" },
  requires_action: {
    authentication_completed: "authorizing",
    authentication_failed: "requires_payment_method",
    authorization_succeeded: "authorized", // PSP reports the authenticated result directly
    authorization_captured: "captured",
    authorization_declined: "requires_payment_method",
    authorization_failed: "failed", // the PSP's result cannot be booked (see psp-compare.ts)
    cancel: "cancelling",
    // As at Stripe: confirming again replaces a challenge the PSP still reports as open (the
    // orchestrator first asks the PSP and applies a challenge already finished).
    confirm: "authorizing",
  },
  authorizing: {
    authorization_succeeded: "authorized",
    authorization_captured: "captured",
    authorization_requires_action: "requires_action",
    authorization_declined: "requires_payment_method", // card declined or the PSP refused the request
    authorization_failed: "failed", // the PSP's result cannot be booked (see psp-compare.ts)
  },
  authorized: { capture: "capturing", cancel: "cancelling", authorization_captured: "captured" },
  capturing: { capture_succeeded: "captured", capture_failed: "authorized" },
  captured: { refund_partial: "partially_refunded", refund_full: "refunded", dispute_opened: "disputed" },
  partially_refunded: { refund_partial: "partially_refunded", refund_full: "refunded", dispute_opened: "disputed" },
  cancelling: { cancel_succeeded: "cancelled", cancel_failed: "authorized", cancel_failed_unauthenticated: "requires_action" },
  // A won dispute returns the payment to where it stood when the dispute opened.
  disputed: { dispute_won: "captured", dispute_won_after_refund: "partially_refunded", dispute_lost: "refunded" },
  refunded: {},
  cancelled: {},
  failed: {},
};

export function nextStatus(from: PaymentStatus, event: PaymentEvent): PaymentStatus | undefined {
  return TRANSITIONS[from]?.[event];
}

export function canTransition(from: PaymentStatus, event: PaymentEvent): boolean {
  return nextStatus(from, event) !== undefined;
}

/**
 * Pure: returns the next status or throws INVALID_TRANSITION with both states named. `params` names
 * the request parameters that asked for the change (an update's amount, currency, ...), so the
 * message and the error's `param` point at what the client sent.
 */
export function transition(from: PaymentStatus, event: PaymentEvent, paymentIntentId = "payment intent", params: readonly string[] = []): PaymentStatus {
  const to = nextStatus(from, event);
  if (to === undefined) {
    throw new DomainError(
      "payment_intent_unexpected_state",
      `You cannot ${describe(event, params)} ${paymentIntentId} because it has a status of ${from}.`,
      { ...(params[0] ? { param: params[0] } : {}), extra: { current_status: from, attempted: event } },
    );
  }
  return to;
}

function describe(event: PaymentEvent, params: readonly string[]): string {
  if (event === "attach_payment_method" && params.length > 0) return `update the ${params.join(", ")} of`;
  switch (event) {
    case "confirm":
      return "confirm";
    case "capture":
      return "capture";
    case "cancel":
      return "cancel";
    case "attach_payment_method":
      return "update the payment method of";
    case "refund_partial":
    case "refund_full":
      return "refund";
    default:
      return `apply ${event} to`;
  }
}

/** The event of a won dispute: back to captured, or to partially_refunded when refunds preceded it. */
export function disputeWonEvent(amountRefunded: bigint): PaymentEvent {
  return amountRefunded > 0n ? "dispute_won_after_refund" : "dispute_won";
}

/** Statuses in which a PSP call is in flight and recovery may have to resolve the outcome. */
export const IN_FLIGHT_STATUSES: readonly PaymentStatus[] = ["authorizing", "capturing", "cancelling"];
export const TERMINAL_STATUSES: readonly PaymentStatus[] = ["refunded", "cancelled", "failed"];

import type Stripe from "stripe";
import type { PspBalanceLine, PspCard, PspFailure, PspIntentSnapshot, RefundResult } from "../types";

type Intent = Stripe.PaymentIntent;

/** Exhaustive mapping of Stripe's statuses; an unknown value is treated as in flight, never as success. */
export function mapIntentStatus(status: string): PspIntentSnapshot["status"] {
  switch (status) {
    case "requires_payment_method":
      return "requires_payment_method";
    case "requires_confirmation":
      return "requires_confirmation";
    case "requires_action":
      return "requires_action";
    case "processing":
      return "processing";
    case "requires_capture":
      return "authorized";
    case "succeeded":
      return "captured";
    case "canceled":
      return "cancelled";
    default:
      return "processing";
  }
}

export function chargeOf(pi: Intent): Stripe.Charge | null {
  const c = pi.latest_charge;
  return c && typeof c === "object" ? c : null;
}

export function chargeId(pi: Intent): string | null {
  const c = pi.latest_charge;
  if (!c) return null;
  return typeof c === "string" ? c : c.id;
}

/** The PSP fee from an expanded charge.balance_transaction, when the PSP reports it. */
export function feeOf(pi: Intent): bigint | null {
  const bt = chargeOf(pi)?.balance_transaction;
  return bt && typeof bt === "object" ? BigInt(bt.fee) : null;
}

/** Card details from a charge's payment_method_details.card or a PaymentMethod's card. */
export function cardFrom(card: { brand?: string | null; last4?: string | null; funding?: string | null; exp_month?: number | null; exp_year?: number | null; country?: string | null } | null | undefined): PspCard | null {
  if (!card) return null;
  return {
    brand: card.brand ?? "unknown",
    last4: card.last4 ?? null,
    funding: card.funding ?? null,
    expMonth: card.exp_month ?? null,
    expYear: card.exp_year ?? null,
    country: card.country ?? null,
  };
}

/** The card of an expanded latest_charge. */
export function cardOf(pi: Intent): PspCard | null {
  return cardFrom(chargeOf(pi)?.payment_method_details?.card);
}

export function failureOf(err: { code?: string | null; decline_code?: string | null; message?: string | null } | null | undefined): PspFailure | null {
  if (!err) return null;
  return {
    code: err.code ?? "processing_error",
    ...(err.decline_code ? { declineCode: err.decline_code } : {}),
    message: err.message ?? "The payment could not be processed.",
  };
}

export function snapshotOf(pi: Intent): PspIntentSnapshot {
  return {
    pspPaymentIntentId: pi.id,
    currency: pi.currency,
    status: mapIntentStatus(pi.status),
    amount: BigInt(pi.amount),
    amountCapturable: BigInt(pi.amount_capturable ?? 0),
    amountReceived: BigInt(pi.amount_received ?? 0),
    pspChargeId: chargeId(pi),
    fee: feeOf(pi),
    card: cardOf(pi),
    lastError: failureOf(pi.last_payment_error),
    nextAction: (pi.next_action as unknown as Record<string, unknown> | null) ?? null,
  };
}

/** Exhaustive mapping of a Stripe refund; an unknown status stays pending, never success. */
export function refundResultOf(r: Stripe.Refund): Exclude<RefundResult, { outcome: "unknown" }> {
  const reported = { amount: BigInt(r.amount), currency: r.currency };
  switch (r.status) {
    case "succeeded":
      return { outcome: "succeeded", pspRefundId: r.id, ...reported };
    case "failed":
    case "canceled":
      return { outcome: "failed", pspRefundId: r.id, code: r.failure_reason ?? "refund_failed", message: "The PSP could not refund this payment." };
    default:
      return { outcome: "pending", pspRefundId: r.id, ...reported };
  }
}

/** A balance transaction as a report line; the expanded source (charge or refund) gives status and metadata. */
export function balanceLineOf(txn: Stripe.BalanceTransaction): PspBalanceLine {
  const src = txn.source;
  const expanded = src !== null && typeof src === "object" ? (src as { id: string; status?: unknown; metadata?: unknown }) : null;
  const metadata = expanded && expanded.metadata && typeof expanded.metadata === "object" ? (expanded.metadata as Record<string, string>) : {};
  return {
    id: txn.id,
    type: txn.type,
    source: expanded ? expanded.id : typeof src === "string" ? src : "",
    amount: BigInt(txn.amount),
    fee: BigInt(txn.fee),
    net: BigInt(txn.net),
    currency: txn.currency,
    created: new Date(txn.created * 1000),
    sourceStatus: expanded && typeof expanded.status === "string" ? expanded.status : null,
    sourceMetadata: metadata,
  };
}

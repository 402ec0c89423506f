import type { EventRow, PaymentIntentRow, RefundRow } from "./repository";
import { toStripeStatus } from "./stripe-status";

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
// Amounts are capped at 99,999,999 minor units, far inside Number's exact integer range.
const num = (v: bigint) => Number(v);

/** The Stripe-shaped public representation of a payment intent. */
export function serializePaymentIntent(pi: PaymentIntentRow) {
  return {
    id: pi.id,
    object: "payment_intent" as const,
    amount: num(pi.amount),
    amount_capturable: num(pi.amountCapturable),
    amount_received: num(pi.amountReceived),
    amount_refunded: num(pi.amountRefunded),
    canceled_at: pi.status === "cancelled" ? unix(pi.updatedAt) : null,
    cancellation_reason: pi.cancellationReason,
    capture_method: pi.captureMethod,
    confirmation_method: "automatic" as const,
    created: unix(pi.createdAt),
    currency: pi.currency,
    description: pi.description,
    last_payment_error: pi.lastPaymentError ?? null,
    latest_charge: pi.pspChargeId,
    livemode: false,
    metadata: pi.metadata,
    next_action: pi.nextAction ?? null,
    payment_method: pi.paymentMethod,
    payment_method_types: ["card"],
    return_url: pi.returnUrl,
    status: toStripeStatus(pi.status),
    payrail_status: pi.status,
  };
}
export type PaymentIntentResource = ReturnType<typeof serializePaymentIntent>;

export function serializeRefund(r: RefundRow) {
  return {
    id: r.id,
    object: "refund" as const,
    amount: num(r.amount),
    created: unix(r.createdAt),
    currency: r.currency,
    failure_reason: r.failureReason,
    metadata: r.metadata,
    payment_intent: r.paymentIntentId,
    reason: r.reason,
    status: r.status,
  };
}
export type RefundResource = ReturnType<typeof serializeRefund>;

export function serializeEvent(e: EventRow) {
  return {
    id: e.id,
    object: "event" as const,
    api_version: "2026-10-28.endive",
    created: unix(e.createdAt),
    data: e.data,
    livemode: false,
    pending_webhooks: 0,
    type: e.type,
  };
}

export function serializeList<T>(url: string, data: T[], hasMore: boolean) {
  return { object: "list" as const, data, has_more: hasMore, url };
}

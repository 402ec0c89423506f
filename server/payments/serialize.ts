import { refundBalanceTransactionId } from "../charges/record";
import type { RefundRow } from "../refunds/repository";
import type { EventRow, PaymentIntentRow } from "./repository";
import { toStripeStatus } from "./stripe-status";

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
// Amounts are capped at 99,999,999 minor units, far inside Number's exact integer range.
const num = (v: bigint) => Number(v);

export const API_VERSION = "2026-10-28.endive";

const NULL_ADDRESS = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

/** Stripe's shipping shape with every key present. */
function shippingOf(s: Record<string, unknown> | null) {
  if (!s) return null;
  return {
    address: { ...NULL_ADDRESS, ...((s.address as Record<string, unknown> | undefined) ?? {}) },
    carrier: s.carrier ?? null,
    name: s.name ?? null,
    phone: s.phone ?? null,
    tracking_number: s.tracking_number ?? null,
  };
}

/**
 * The Stripe-shaped public representation of a payment intent: every field of Stripe's
 * PaymentIntent (API 2026-10-28), null or empty where Payrail has no value; Payrail-only fields
 * carry the payrail_ prefix.
 */
export function serializePaymentIntent(pi: PaymentIntentRow) {
  const status = toStripeStatus(pi.status);
  return {
    id: pi.id,
    object: "payment_intent" as const,
    allowed_payment_method_types: ["card"],
    amount: num(pi.amount),
    amount_capturable: num(pi.amountCapturable),
    amount_details: { tip: {} },
    amount_received: num(pi.amountReceived),
    amount_refunded: num(pi.amountRefunded),
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: pi.status === "cancelled" ? unix(pi.updatedAt) : null,
    cancellation_reason: pi.cancellationReason,
    capture_method: pi.captureMethod,
    client_secret: pi.clientSecret,
    confirmation_method: "automatic" as const,
    created: unix(pi.createdAt),
    currency: pi.currency,
    customer: pi.customer,
    customer_account: null,
    description: pi.description,
    excluded_payment_method_types: null,
    hooks: null,
    // Removed from PaymentIntent in API 2025-03-31; kept null for integrations written against older versions.
    invoice: null,
    last_payment_error: pi.lastPaymentError ?? null,
    latest_charge: pi.latestChargeId,
    livemode: false,
    managed_payments: null,
    metadata: pi.metadata,
    next_action: pi.nextAction ?? null,
    on_behalf_of: null,
    payment_details: null,
    payment_method: pi.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    payment_record: null,
    presentment_details: null,
    processing: status === "processing" ? { card: { customer_notification: null }, type: "card" } : null,
    receipt_email: pi.receiptEmail,
    return_url: pi.returnUrl,
    review: null,
    setup_future_usage: null,
    shipping: shippingOf(pi.shipping ?? null),
    source: null,
    statement_descriptor: pi.statementDescriptor,
    statement_descriptor_suffix: pi.statementDescriptorSuffix,
    status,
    transfer_data: null,
    transfer_group: null,
    payrail_status: pi.status,
    payrail_psp_charge: pi.pspChargeId,
  };
}
export type PaymentIntentResource = ReturnType<typeof serializePaymentIntent>;

/** Every field of Stripe's Refund. */
export function serializeRefund(r: RefundRow) {
  return {
    id: r.id,
    object: "refund" as const,
    amount: num(r.amount),
    balance_transaction: refundBalanceTransactionId(r),
    charge: r.chargeId,
    created: unix(r.createdAt),
    currency: r.currency,
    customer: null,
    customer_account: null,
    description: null,
    destination_details: { card: { reference: null, reference_status: "pending", reference_type: null, type: "refund" }, type: "card" },
    failure_balance_transaction: null,
    failure_reason: r.failureReason,
    instructions_email: null,
    metadata: r.metadata,
    next_action: null,
    payment_intent: r.paymentIntentId,
    payment_method: null,
    pending_reason: null,
    presentment_details: null,
    reason: r.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: r.status,
    transfer_reversal: null,
  };
}
export type RefundResource = ReturnType<typeof serializeRefund>;

export function serializeEvent(e: EventRow) {
  return {
    id: e.id,
    object: "event" as const,
    api_version: API_VERSION,
    created: unix(e.createdAt),
    data: e.data,
    livemode: false,
    pending_webhooks: 0,
    request: { id: e.requestId, idempotency_key: e.requestIdempotencyKey },
    type: e.type,
  };
}

export function serializeList<T>(url: string, data: T[], hasMore: boolean) {
  return { object: "list" as const, data, has_more: hasMore, url };
}

import { env } from "../env";
import type { BalanceTransactionRow, ChargeRow } from "./repository";

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
// Amounts are capped at 99,999,999 minor units, far inside Number's exact integer range.
const num = (v: bigint) => Number(v);

const NULL_ADDRESS = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

/** Receipts live on our origin (the page is served by the app); Stripe always fills receipt_url. */
export function receiptUrl(chargeId: string): string {
  const e = env();
  const origin = e.PAYRAIL_PUBLIC_URL ?? `http://localhost:${e.PORT ?? 3000}`;
  return `${origin.replace(/\/+$/, "")}/receipts/${chargeId}`;
}

/** Stripe's charge.outcome from the network's answer. */
function outcomeOf(c: ChargeRow) {
  if (c.status === "succeeded") {
    return {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: "approved_by_network",
      reason: null,
      risk_level: "normal",
      risk_score: null,
      rule: null,
      seller_message: "Payment complete.",
      type: "authorized",
    };
  }
  const fraud = c.declineCode === "fraudulent" || c.declineCode === "stolen_card" || c.declineCode === "lost_card";
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: null,
    network_status: "declined_by_network",
    reason: c.declineCode ?? c.failureCode,
    risk_level: fraud ? "elevated" : "normal",
    risk_score: null,
    rule: null,
    seller_message: "The bank did not return any further details with this decline.",
    type: "issuer_declined",
  };
}

function cardDetails(c: ChargeRow) {
  return {
    amount_authorized: c.status === "succeeded" ? num(c.amount) : null,
    authorization_code: null,
    brand: c.cardBrand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: null },
    country: c.cardCountry,
    electronic_commerce_indicator: null,
    exp_month: c.cardExpMonth,
    exp_year: c.cardExpYear,
    fingerprint: null,
    funding: c.cardFunding,
    installments: null,
    last4: c.cardLast4,
    mandate: null,
    network: c.cardBrand,
    network_token: null,
    network_transaction_id: null,
    regulated_status: null,
    three_d_secure: null,
    transaction_link_id: null,
    wallet: null,
  };
}

/** The Stripe-shaped charge: every field of Stripe's Charge, null where Payrail has no value. */
export function serializeCharge(c: ChargeRow) {
  const descriptor = [c.statementDescriptor ?? "PAYRAIL", c.statementDescriptorSuffix].filter(Boolean).join("* ");
  return {
    id: c.id,
    object: "charge" as const,
    amount: num(c.amount),
    amount_captured: num(c.amountCaptured),
    amount_refunded: num(c.amountRefunded),
    application: null,
    application_fee: null,
    application_fee_amount: null,
    authorization_code: null,
    balance_transaction: c.balanceTransactionId,
    billing_details: { address: NULL_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: descriptor.slice(0, 22),
    captured: c.captured,
    created: unix(c.createdAt),
    currency: c.currency,
    customer: c.customer,
    description: c.description,
    disputed: c.disputed,
    failure_balance_transaction: null,
    failure_code: c.failureCode,
    failure_message: c.failureMessage,
    fraud_details: {},
    level3: null,
    livemode: false,
    metadata: c.metadata,
    on_behalf_of: null,
    outcome: outcomeOf(c),
    paid: c.status === "succeeded",
    payment_intent: c.paymentIntentId,
    payment_method: c.paymentMethod,
    payment_method_details: { card: cardDetails(c), type: "card" },
    presentment_details: null,
    radar_options: {},
    receipt_email: c.receiptEmail,
    receipt_number: null,
    receipt_url: receiptUrl(c.id),
    refunded: c.amountCaptured > 0n && c.amountRefunded >= c.amountCaptured,
    // Stripe includes the refunds list only when expanded; list them with /v1/refunds?payment_intent=.
    refunds: null,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: c.statementDescriptor,
    statement_descriptor_suffix: c.statementDescriptorSuffix,
    status: c.status,
    transfer: null,
    transfer_data: null,
    transfer_group: null,
    payrail_psp_charge: c.pspChargeId,
  };
}
export type ChargeResource = ReturnType<typeof serializeCharge>;

/** Stripe's BalanceTransaction; status follows available_on. */
export function serializeBalanceTransaction(t: BalanceTransactionRow, now = new Date()) {
  return {
    id: t.id,
    object: "balance_transaction" as const,
    amount: num(t.amount),
    available_on: unix(t.availableOn),
    balance_type: "payments" as const,
    created: unix(t.createdAt),
    currency: t.currency,
    description: t.description,
    exchange_rate: null,
    fee: num(t.fee),
    fee_details: t.feeDetails,
    net: num(t.net),
    reporting_category: t.reportingCategory,
    source: t.sourceId,
    status: t.availableOn.getTime() <= now.getTime() ? ("available" as const) : ("pending" as const),
    type: t.type,
  };
}

import type { CheckoutLineItem } from "@/db/schema";
import { derivedId } from "../ids";
import type { CheckoutSessionRow } from "./repository";
import { hostedCheckoutUrl } from "./public-url";

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
// Amounts are capped at 99,999,999 minor units, far inside Number's exact integer range.
const num = (v: bigint | string) => Number(v);

/** Stripe's checkout.session object (hosted ui_mode, payment mode), every field present. */
export function serializeCheckoutSession(s: CheckoutSessionRow, opts: { livemode?: boolean } = {}) {
  const total = num(s.amountTotal);
  return {
    id: s.id,
    object: "checkout.session" as const,
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: total,
    amount_total: total,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: s.cancelUrl,
    client_reference_id: null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: unix(s.createdAt),
    currency: s.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: null,
    customer_creation: "if_required",
    customer_details: s.customerDetailsEmail
      ? { address: null, email: s.customerDetailsEmail, name: null, phone: null, tax_exempt: "none", tax_ids: [] }
      : null,
    customer_email: s.customerEmail,
    discounts: [],
    expires_at: unix(s.expiresAt),
    invoice: null,
    invoice_creation: null,
    livemode: opts.livemode ?? false,
    locale: null,
    metadata: s.metadata,
    mode: "payment" as const,
    payment_intent: s.paymentIntentId,
    payment_link: null,
    payment_method_collection: "if_required",
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ["card"],
    payment_status: s.paymentStatus,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: s.status,
    submit_type: null,
    subscription: null,
    success_url: s.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: "hosted",
    // Stripe clears the URL once the session can no longer be paid.
    url: s.status === "open" ? hostedCheckoutUrl(s.urlToken) : null,
  };
}

/** Stripe's line item (`object: "item"`) with an inline, inactive one-time price. */
export function serializeLineItem(s: CheckoutSessionRow, li: CheckoutLineItem) {
  const product = derivedId("prod", s.id, li.id, 14);
  return {
    id: li.id,
    object: "item" as const,
    amount_discount: 0,
    amount_subtotal: num(li.amountTotal),
    amount_tax: 0,
    amount_total: num(li.amountTotal),
    currency: li.currency,
    description: li.name,
    price: {
      id: derivedId("price", s.id, li.id),
      object: "price" as const,
      active: false,
      billing_scheme: "per_unit",
      created: unix(s.createdAt),
      currency: li.currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: null,
      metadata: {},
      nickname: null,
      product,
      recurring: null,
      tax_behavior: "unspecified",
      tiers_mode: null,
      transform_quantity: null,
      type: "one_time",
      unit_amount: num(li.unitAmount),
      unit_amount_decimal: li.unitAmount,
    },
    quantity: li.quantity,
  };
}

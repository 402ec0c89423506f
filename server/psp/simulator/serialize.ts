/** Internal records -> Stripe-shaped JSON objects, plus `expand[]`. */
import { EVIDENCE_FIELDS } from "./evidence";
import type { BalanceTxnRec, ChargeRec, DisputeRec, EventRec, PaymentIntentRec, PaymentMethodRec, RefundRec, Registry, Store } from "./state";

type Json = Record<string, unknown>;

export function paymentMethodJson(pm: PaymentMethodRec): Json {
  return {
    id: pm.id,
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: pm.billingEmail,
      name: pm.billingName,
      phone: null,
    },
    card: {
      brand: pm.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: "US",
      display_brand: pm.brand,
      exp_month: pm.expMonth,
      exp_year: pm.expYear,
      fingerprint: pm.fingerprint,
      funding: pm.funding,
      generated_from: null,
      last4: pm.last4,
      networks: { available: [pm.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: pm.created,
    customer: null,
    livemode: false,
    metadata: { ...pm.metadata },
    type: "card",
  };
}

export function paymentIntentJson(pi: PaymentIntentRec): Json {
  return {
    id: pi.id,
    object: "payment_intent",
    amount: pi.amount,
    amount_capturable: pi.amountCapturable,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: pi.canceledAt,
    cancellation_reason: pi.cancellationReason,
    capture_method: pi.captureMethod,
    client_secret: pi.clientSecret,
    confirmation_method: "automatic",
    created: pi.created,
    currency: pi.currency,
    customer: null,
    description: pi.description,
    last_payment_error: pi.lastPaymentError,
    latest_charge: pi.latestCharge,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: pi.nextAction,
    on_behalf_of: null,
    payment_method: pi.paymentMethod,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    processing: null,
    receipt_email: pi.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function chargeJson(ch: ChargeRec, pm: PaymentMethodRec | undefined): Json {
  const succeeded = ch.status === "succeeded";
  return {
    id: ch.id,
    object: "charge",
    amount: ch.amount,
    amount_captured: ch.amountCaptured,
    amount_refunded: ch.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ch.balanceTransaction,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: pm?.billingEmail ?? null,
      name: pm?.billingName ?? null,
      phone: null,
    },
    calculated_statement_descriptor: "PAYRAIL",
    captured: ch.captured,
    created: ch.created,
    currency: ch.currency,
    customer: null,
    description: ch.description,
    disputed: ch.disputed,
    failure_balance_transaction: null,
    failure_code: ch.failureCode,
    failure_message: ch.failureMessage,
    fraud_details: {},
    livemode: false,
    metadata: { ...ch.metadata },
    outcome: succeeded
      ? { network_status: "approved_by_network", reason: null, risk_level: "normal", risk_score: 20, seller_message: "Payment complete.", type: "authorized" }
      : {
          network_status: "declined_by_network",
          reason: ch.declineCode,
          risk_level: ch.declineCode === "fraudulent" ? "highest" : "normal",
          risk_score: ch.declineCode === "fraudulent" ? 95 : 30,
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        },
    paid: succeeded,
    payment_intent: ch.paymentIntent,
    payment_method: ch.paymentMethod,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? ch.amount : null,
        brand: pm?.brand ?? "unknown",
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        exp_month: pm?.expMonth ?? null,
        exp_year: pm?.expYear ?? null,
        fingerprint: pm?.fingerprint ?? null,
        funding: pm?.funding ?? "credit",
        last4: pm?.last4 ?? null,
        network: pm?.brand ?? null,
        three_d_secure: ch.threeDSecure ? { authentication_flow: "challenge", result: "authenticated", version: "2.2.0" } : null,
      },
      type: "card",
    },
    receipt_email: null,
    receipt_url: null,
    refunded: ch.amountCaptured > 0 && ch.amountRefunded >= ch.amountCaptured,
    review: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    status: ch.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function refundJson(re: RefundRec): Json {
  return {
    id: re.id,
    object: "refund",
    amount: re.amount,
    balance_transaction: re.balanceTransaction,
    charge: re.charge,
    created: re.created,
    currency: re.currency,
    destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
    metadata: { ...re.metadata },
    payment_intent: re.paymentIntent,
    reason: re.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: re.status,
    failure_reason: re.failureReason,
    failure_balance_transaction: re.failureBalanceTransaction,
    transfer_reversal: null,
  };
}

export function balanceTransactionJson(txn: BalanceTxnRec): Json {
  return {
    id: txn.id,
    object: "balance_transaction",
    amount: txn.amount,
    available_on: txn.created + 2 * 86400,
    created: txn.created,
    currency: txn.currency,
    description: txn.description,
    exchange_rate: null,
    fee: txn.fee,
    fee_details: txn.fee === 0 ? [] : [{ amount: txn.fee, application: null, currency: txn.currency, description: txn.type === "adjustment" ? "Dispute fee" : "Stripe processing fees", type: "stripe_fee" }],
    net: txn.net,
    reporting_category: txn.reportingCategory,
    source: txn.source,
    status: "pending",
    type: txn.type,
  };
}

/** Stripe's evidence object: every field present, null when not given. */
function evidenceJson(evidence: Record<string, string>): Json {
  const out: Json = {};
  for (const f of EVIDENCE_FIELDS) out[f] = evidence[f] ?? null;
  out.enhanced_evidence = {};
  return out;
}

export function disputeJson(dp: DisputeRec, balanceTransactions: Json[], now: number): Json {
  const awaiting = dp.status === "needs_response" || dp.status === "warning_needs_response";
  return {
    id: dp.id,
    object: "dispute",
    amount: dp.amount,
    balance_transactions: balanceTransactions,
    charge: dp.charge,
    created: dp.created,
    currency: dp.currency,
    enhanced_eligibility_types: [],
    evidence: evidenceJson(dp.evidence),
    evidence_details: {
      due_by: dp.dueBy,
      enhanced_eligibility: {},
      has_evidence: Object.keys(dp.evidence).length > 0,
      past_due: awaiting && now > dp.dueBy,
      submission_count: dp.submissionCount,
      submission_method: dp.submissionCount > 0 ? "api" : null,
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: { ...dp.metadata },
    network_reason_code: null,
    payment_intent: dp.paymentIntent,
    payment_method_details: { card: { brand: "visa", case_type: "chargeback", network_reason_code: null }, type: "card" },
    reason: dp.reason,
    status: dp.status,
  };
}

export function eventJson(evt: EventRec): Json {
  return {
    id: evt.id,
    object: "event",
    api_version: evt.apiVersion,
    created: evt.created,
    data: { object: evt.object },
    livemode: false,
    pending_webhooks: evt.pendingWebhooks,
    request: { id: evt.requestId, idempotency_key: evt.idempotencyKey },
    type: evt.type,
  };
}

export function disputeJsonFor(store: Store, dp: DisputeRec): Json {
  const txns: Json[] = [];
  for (const id of dp.balanceTransactions) {
    const t = store.balanceTransactions.get(id);
    if (t) txns.push(balanceTransactionJson(t));
  }
  return disputeJson(dp, txns, Math.floor(Date.now() / 1000));
}

/** Serialize any object the store knows by id prefix. */
export function objectJson(reg: Registry, store: Store, id: string): Json | undefined {
  const prefix = id.slice(0, id.indexOf("_"));
  switch (prefix) {
    case "pi": {
      const r = store.paymentIntents.get(id);
      return r && paymentIntentJson(r);
    }
    case "ch": {
      const r = store.charges.get(id);
      return r && chargeJson(r, reg.paymentMethods.get(r.paymentMethod));
    }
    case "re": {
      const r = store.refunds.get(id);
      return r && refundJson(r);
    }
    case "txn": {
      const r = store.balanceTransactions.get(id);
      return r && balanceTransactionJson(r);
    }
    case "pm": {
      const r = reg.paymentMethods.get(id);
      return r && paymentMethodJson(r);
    }
    case "dp": {
      const r = store.disputes.get(id);
      return r && disputeJsonFor(store, r);
    }
    case "evt": {
      const r = store.events.get(id);
      return r && eventJson(r);
    }
    default:
      return undefined;
  }
}

function expandOne(reg: Registry, store: Store, obj: Json, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  let value = obj[head];
  if (typeof value === "string") {
    const expanded = objectJson(reg, store, value);
    if (!expanded) return;
    obj[head] = expanded;
    value = expanded;
  }
  if (rest.length > 0 && value !== null && typeof value === "object" && !Array.isArray(value)) {
    expandOne(reg, store, value as Json, rest);
  }
}

/** Apply `expand[]` paths to one object (e.g. `latest_charge.balance_transaction`). Unknown paths are ignored. */
export function expand(reg: Registry, store: Store, obj: Json, paths: readonly string[]): Json {
  for (const p of paths) expandOne(reg, store, obj, p.split("."));
  return obj;
}

export function listJson(url: string, data: Json[], hasMore: boolean): Json {
  return { object: "list", data, has_more: hasMore, url };
}

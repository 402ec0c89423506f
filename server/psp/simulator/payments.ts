/** Payment intent lifecycle: create, update, confirm (with 3DS), capture, cancel, disputes. */
import { makeDecline } from "./cards";
import { emit, type OpCtx } from "./context";
import { SimError, invalidParam, invalidRequest, missingParam, resourceMissing, unexpectedState, type StripeErrorBody } from "./errors";
import { processingFee } from "./fees";
import type { Params } from "../../http/stripe-form";
import { newId } from "./ids";
import { cleanMetadata, mergeMetadata, optBool, optEnum, optInt, optMetadata, optString, reqInt, reqString } from "./params";
import { paymentMethodFromParams } from "./payment-methods";
import { chargeJson, paymentIntentJson, paymentMethodJson } from "./serialize";
import { openDispute } from "./disputes";
import type { CaptureMethod, ChargeRec, PaymentIntentRec, PaymentIntentStatus, PaymentMethodRec } from "./state";

const MAX_AMOUNT = 99_999_999;
const CAPTURE_METHODS = ["automatic", "automatic_async", "manual"] as const;
const CANCELLATION_REASONS = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"] as const;
const CONFIRMABLE: PaymentIntentStatus[] = ["requires_payment_method", "requires_confirmation", "requires_action"];
const CANCELABLE: PaymentIntentStatus[] = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

export function getPaymentIntent(ctx: OpCtx, id: string, param = "intent", status: 400 | 404 = 404): PaymentIntentRec {
  const pi = ctx.store.paymentIntents.get(id);
  if (!pi) throw resourceMissing("payment_intent", id, param, status);
  return pi;
}

function readAmount(p: Params, name: string, required: true): number;
function readAmount(p: Params, name: string, required: false): number | undefined;
function readAmount(p: Params, name: string, required: boolean): number | undefined {
  const amount = required ? reqInt(p, name, 1) : optInt(p, name, 1);
  if (amount !== undefined && amount > MAX_AMOUNT) throw invalidParam(name, `Amount must be no more than ${MAX_AMOUNT}`, "amount_too_large");
  return amount;
}

function readCurrency(p: Params, required: boolean): string | undefined {
  const c = required ? reqString(p, "currency") : optString(p, "currency");
  if (c === undefined) return undefined;
  const lower = c.toLowerCase();
  if (!/^[a-z]{3}$/.test(lower)) throw invalidParam("currency", `Invalid currency: ${c}.`);
  return lower;
}

export function createPaymentIntent(ctx: OpCtx, p: Params): PaymentIntentRec {
  const amount = readAmount(p, "amount", true);
  const currency = readCurrency(p, true) ?? "usd";
  const captureMethod: CaptureMethod = optEnum(p, "capture_method", CAPTURE_METHODS) ?? "automatic";
  const confirm = optBool(p, "confirm") ?? false;
  const metadata = cleanMetadata(optMetadata(p));
  const pm = paymentMethodFromParams(ctx, p);
  if (confirm && !pm) throw missingParam("payment_method");
  const id = newId("pi");
  const pi: PaymentIntentRec = {
    id,
    created: ctx.reg.clock.now(),
    amount,
    currency,
    status: pm ? "requires_confirmation" : "requires_payment_method",
    captureMethod,
    paymentMethod: pm?.id ?? null,
    metadata,
    description: optString(p, "description") ?? null,
    returnUrl: optString(p, "return_url") ?? null,
    amountCapturable: 0,
    amountReceived: 0,
    latestCharge: null,
    lastPaymentError: null,
    nextAction: null,
    canceledAt: null,
    cancellationReason: null,
    clientSecret: `${id}_secret_${newId("s").slice(2)}`,
    receiptEmail: optString(p, "receipt_email") ?? null,
  };
  ctx.store.paymentIntents.add(pi);
  ctx.reg.owners.set(pi.id, ctx.store);
  emit(ctx, "payment_intent.created", paymentIntentJson(pi));
  if (confirm) confirmInternal(ctx, pi);
  return pi;
}

export function updatePaymentIntent(ctx: OpCtx, pi: PaymentIntentRec, p: Params): PaymentIntentRec {
  const amount = readAmount(p, "amount", false);
  const currency = readCurrency(p, false);
  const captureMethod = optEnum(p, "capture_method", CAPTURE_METHODS);
  const metadata = optMetadata(p);
  const touchesPayment = amount !== undefined || currency !== undefined || captureMethod !== undefined || p.payment_method !== undefined || p.payment_method_data !== undefined;
  if (touchesPayment && pi.status !== "requires_payment_method" && pi.status !== "requires_confirmation") {
    throw unexpectedState(
      `This PaymentIntent's amount, currency, capture_method or payment_method could not be updated because it has a status of ${pi.status}. You may only update these when the PaymentIntent has a status of requires_payment_method or requires_confirmation.`,
      paymentIntentJson(pi),
    );
  }
  const pm = paymentMethodFromParams(ctx, p);
  if (amount !== undefined) pi.amount = amount;
  if (currency !== undefined) pi.currency = currency;
  if (captureMethod !== undefined) pi.captureMethod = captureMethod;
  if (pm) {
    pi.paymentMethod = pm.id;
    pi.status = "requires_confirmation";
  }
  pi.metadata = mergeMetadata(pi.metadata, metadata);
  const description = optString(p, "description");
  if (description !== undefined) pi.description = description || null;
  const receipt = optString(p, "receipt_email");
  if (receipt !== undefined) pi.receiptEmail = receipt || null;
  const returnUrl = optString(p, "return_url");
  if (returnUrl !== undefined) pi.returnUrl = returnUrl || null;
  return pi;
}

export function confirmPaymentIntent(ctx: OpCtx, pi: PaymentIntentRec, p: Params): PaymentIntentRec {
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(", ")}.`,
      paymentIntentJson(pi),
    );
  }
  const pm = paymentMethodFromParams(ctx, p);
  if (!pm && !pi.paymentMethod) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with a PaymentMethod, provide payment_method.",
      paymentIntentJson(pi),
    );
  }
  if (pm) pi.paymentMethod = pm.id;
  const returnUrl = optString(p, "return_url");
  if (returnUrl) pi.returnUrl = returnUrl;
  confirmInternal(ctx, pi);
  return pi;
}

function confirmInternal(ctx: OpCtx, pi: PaymentIntentRec): void {
  const pm = ctx.reg.paymentMethods.get(pi.paymentMethod ?? "");
  if (!pm) throw invalidRequest("resource_missing", `No such PaymentMethod: '${pi.paymentMethod ?? ""}'`, "payment_method");
  pi.lastPaymentError = null;
  pi.nextAction = null;
  if (pm.behaviour.kind === "three_ds") {
    pi.status = "requires_action";
    pi.nextAction = { type: "redirect_to_url", redirect_to_url: { url: `${ctx.baseUrl}/3ds/${pi.id}`, return_url: pi.returnUrl } };
    ctx.store.stats.threeDsChallenges += 1;
    emit(ctx, "payment_intent.requires_action", paymentIntentJson(pi));
    return;
  }
  authorize(ctx, pi, pm, false);
}

/** Authorize with the issuer: a decline commits a failed charge and throws 402; success creates the charge (and captures if automatic). */
function authorize(ctx: OpCtx, pi: PaymentIntentRec, pm: PaymentMethodRec, threeDSecure: boolean): void {
  const stats = ctx.store.stats;
  const forced = ctx.faults.takeDecline(ctx.store.apiKey);
  if (forced) stats.faults.declineNext += 1;
  const decline = forced ? makeDecline(forced.code, forced.declineCode, forced.message) : pm.behaviour.kind === "decline" ? pm.behaviour.decline : null;
  const charge: ChargeRec = {
    id: newId("ch"),
    created: ctx.reg.clock.now(),
    amount: pi.amount,
    amountCaptured: 0,
    amountRefunded: 0,
    captured: false,
    status: decline ? "failed" : "succeeded",
    currency: pi.currency,
    paymentIntent: pi.id,
    paymentMethod: pm.id,
    metadata: { ...pi.metadata },
    description: pi.description,
    balanceTransaction: null,
    failureCode: decline?.code ?? null,
    failureMessage: decline?.message ?? null,
    declineCode: decline?.declineCode ?? null,
    disputed: false,
    threeDSecure,
  };
  ctx.store.charges.add(charge);
  ctx.reg.owners.set(charge.id, ctx.store); // the control API opens disputes by charge
  pi.latestCharge = charge.id;

  if (decline) {
    const err: StripeErrorBody = {
      type: "card_error",
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      charge: charge.id,
      doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, "-")}`,
      payment_method: paymentMethodJson(pm),
    };
    pi.lastPaymentError = { ...err };
    pi.status = "requires_payment_method";
    pi.paymentMethod = null;
    stats.declines += 1;
    emit(ctx, "charge.failed", chargeJson(charge, pm));
    const piJson = paymentIntentJson(pi);
    emit(ctx, "payment_intent.payment_failed", piJson);
    throw new SimError(402, { ...err, payment_intent: paymentIntentJson(pi) });
  }

  stats.authorizations += 1;
  ctx.store.recordCharge(charge.metadata);
  if (pi.captureMethod === "manual") {
    pi.status = "requires_capture";
    pi.amountCapturable = pi.amount;
    emit(ctx, "charge.succeeded", chargeJson(charge, pm));
    emit(ctx, "payment_intent.amount_capturable_updated", paymentIntentJson(pi));
    return;
  }
  captureCharge(ctx, pi, charge, pi.amount);
  emit(ctx, "charge.succeeded", chargeJson(charge, pm));
  emit(ctx, "payment_intent.succeeded", paymentIntentJson(pi));
}

function captureCharge(ctx: OpCtx, pi: PaymentIntentRec, charge: ChargeRec, amount: number): void {
  const fee = processingFee(amount);
  const txn = ctx.store.balanceTransactions.add({
    id: newId("txn"),
    created: ctx.reg.clock.now(),
    amount,
    fee,
    net: amount - fee,
    currency: charge.currency,
    type: "charge",
    reportingCategory: "charge",
    source: charge.id,
    description: pi.description,
  });
  charge.captured = true;
  charge.amountCaptured = amount;
  charge.balanceTransaction = txn.id;
  pi.amountReceived = amount;
  pi.amountCapturable = 0;
  pi.status = "succeeded";
  ctx.store.stats.captures += 1;
  const pm = ctx.reg.paymentMethods.get(charge.paymentMethod);
  if (pm?.behaviour.kind === "dispute") {
    const { reg, store } = ctx;
    const later: OpCtx = { ...ctx, requestId: null, idempotencyKey: null };
    reg.schedule(() => {
      if (!reg.isLive(store)) return;
      try {
        openDispute(later, charge, "fraudulent");
      } catch {
        // already disputed or refunded away: nothing to open
      }
    }, reg.disputeDelayMs);
  }
}

export function capturePaymentIntent(ctx: OpCtx, pi: PaymentIntentRec, p: Params): PaymentIntentRec {
  if (pi.status !== "requires_capture") {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      paymentIntentJson(pi),
    );
  }
  const amount = optInt(p, "amount_to_capture", 1) ?? pi.amountCapturable;
  if (amount > pi.amountCapturable) {
    throw invalidRequest("amount_too_large", `The amount to capture (${amount}) is greater than the amount capturable (${pi.amountCapturable}) on PaymentIntent ${pi.id}.`, "amount_to_capture");
  }
  const charge = ctx.store.charges.get(pi.latestCharge ?? "");
  if (!charge) throw new SimError(500, { type: "api_error", message: `PaymentIntent ${pi.id} has no charge to capture.` });
  const metadata = optMetadata(p);
  if (metadata !== undefined) pi.metadata = mergeMetadata(pi.metadata, metadata);
  captureCharge(ctx, pi, charge, amount);
  emit(ctx, "charge.captured", chargeJson(charge, ctx.reg.paymentMethods.get(charge.paymentMethod)));
  emit(ctx, "payment_intent.succeeded", paymentIntentJson(pi));
  return pi;
}

export function cancelPaymentIntent(ctx: OpCtx, pi: PaymentIntentRec, p: Params): PaymentIntentRec {
  const reason = optEnum(p, "cancellation_reason", CANCELLATION_REASONS);
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(", ")}.`,
      paymentIntentJson(pi),
    );
  }
  pi.status = "canceled";
  pi.amountCapturable = 0;
  pi.nextAction = null;
  pi.canceledAt = ctx.reg.clock.now();
  pi.cancellationReason = reason ?? null;
  ctx.store.stats.cancellations += 1;
  emit(ctx, "payment_intent.canceled", paymentIntentJson(pi));
  return pi;
}

export type ThreeDsOutcome = "success" | "fail";

/** Finish a 3DS challenge. Success continues the confirmation (may still throw a 402 decline). */
export function completeThreeDs(ctx: OpCtx, pi: PaymentIntentRec, outcome: ThreeDsOutcome): PaymentIntentRec {
  if (pi.status !== "requires_action") {
    throw unexpectedState(`PaymentIntent ${pi.id} has a status of ${pi.status}; there is no pending authentication.`, paymentIntentJson(pi));
  }
  const pm = ctx.reg.paymentMethods.get(pi.paymentMethod ?? "");
  if (!pm) throw invalidRequest("resource_missing", `No such PaymentMethod: '${pi.paymentMethod ?? ""}'`, "payment_method");
  pi.nextAction = null;
  if (outcome === "success") {
    authorize(ctx, pi, pm, true);
    return pi;
  }
  pi.status = "requires_payment_method";
  pi.paymentMethod = null;
  pi.lastPaymentError = {
    type: "invalid_request_error",
    code: "payment_intent_authentication_failure",
    message: "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
    payment_method: paymentMethodJson(pm),
  };
  emit(ctx, "payment_intent.payment_failed", paymentIntentJson(pi));
  return pi;
}

/** Card tokenization: only brand, last4, expiry, a salted fingerprint and the test behaviour are kept. */
import { createHmac, randomBytes } from "node:crypto";
import { brandOf, luhnValid, testCardByNumber, testCardByPm, type TestCard } from "./cards";
import type { OpCtx } from "./context";
import { SimError, missingParam } from "./errors";
import type { Params } from "../../http/stripe-form";
import { newId } from "./ids";
import { cleanMetadata, optInt, optMetadata, optString } from "./params";
import type { PaymentMethodRec } from "./state";

const FINGERPRINT_SALT = randomBytes(16);

function fingerprint(number: string): string {
  return createHmac("sha256", FINGERPRINT_SALT).update(number).digest("base64url").slice(0, 16);
}

function cardError(code: string, message: string, param: string): SimError {
  return new SimError(402, { type: "card_error", code, message, param, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}` }, { storable: false });
}

function register(ctx: OpCtx, pm: PaymentMethodRec): PaymentMethodRec {
  ctx.reg.paymentMethods.set(pm.id, pm);
  ctx.store.paymentMethodIds.add(pm.id);
  return pm;
}

function fromTestCard(ctx: OpCtx, card: TestCard, id: string): PaymentMethodRec {
  return {
    id,
    created: ctx.reg.clock.now(),
    brand: card.brand,
    last4: card.number.slice(-4),
    expMonth: 12,
    expYear: new Date().getUTCFullYear() + 3,
    funding: card.funding,
    fingerprint: fingerprint(card.number),
    behaviour: card.behaviour,
    billingName: null,
    billingEmail: null,
    metadata: {},
  };
}

/** `card` params from `POST /v1/payment_methods` or `payment_method_data`. The number and CVC are dropped after validation. */
export function createPaymentMethod(ctx: OpCtx, p: Params): PaymentMethodRec {
  const type = optString(p, "type");
  if (!type) throw missingParam("type");
  if (type !== "card") throw new SimError(400, { type: "invalid_request_error", param: "type", message: `The payment method type '${type}' is not supported by the simulator; use 'card'.` }, { storable: false });
  const card = p.card;
  if (card === null || typeof card !== "object" || Array.isArray(card)) throw missingParam("card");
  const c = card as Params;
  const number = (optString(c, "number") ?? "").replace(/[\s-]/g, "");
  if (!number) throw missingParam("card[number]");
  if (!luhnValid(number)) throw cardError("incorrect_number", "Your card number is incorrect.", "card[number]");
  const expMonth = optInt(c, "exp_month");
  const expYear = optInt(c, "exp_year");
  if (expMonth === undefined) throw missingParam("card[exp_month]");
  if (expYear === undefined) throw missingParam("card[exp_year]");
  if (expMonth < 1 || expMonth > 12) throw cardError("invalid_expiry_month", "Your card's expiration month is invalid.", "card[exp_month]");
  const fullYear = expYear < 100 ? 2000 + expYear : expYear;
  const now = new Date();
  const nowYear = now.getUTCFullYear();
  if (fullYear < nowYear || fullYear > nowYear + 50) throw cardError("invalid_expiry_year", "Your card's expiration year is invalid.", "card[exp_year]");
  if (fullYear === nowYear && expMonth < now.getUTCMonth() + 1) throw cardError("invalid_expiry_month", "Your card's expiration month is invalid.", "card[exp_month]");
  const cvc = optString(c, "cvc");
  if (cvc !== undefined && !/^\d{3,4}$/.test(cvc)) throw cardError("invalid_cvc", "Your card's security code is invalid.", "card[cvc]");
  const test = testCardByNumber(number);
  const billing = p.billing_details;
  const b = billing !== null && typeof billing === "object" && !Array.isArray(billing) ? (billing as Params) : {};
  return register(ctx, {
    id: newId("pm"),
    created: ctx.reg.clock.now(),
    brand: test?.brand ?? brandOf(number),
    last4: number.slice(-4),
    expMonth,
    expYear: fullYear,
    funding: test?.funding ?? "credit",
    fingerprint: fingerprint(number),
    behaviour: test?.behaviour ?? { kind: "success" },
    billingName: optString(b, "name") ?? null,
    billingEmail: optString(b, "email") ?? null,
    metadata: cleanMetadata(optMetadata(p)),
  });
}

/** GET: test ids resolve to a transient object with that id. */
export function findPaymentMethod(ctx: OpCtx, id: string): PaymentMethodRec | undefined {
  const pm = ctx.reg.paymentMethods.get(id);
  if (pm) return pm;
  const test = testCardByPm(id);
  return test ? fromTestCard(ctx, test, id) : undefined;
}

/**
 * A payment method referenced by a payment intent. Test ids (`pm_card_visa`) materialize into a
 * fresh `pm_...` like Stripe test mode does.
 */
export function resolvePaymentMethod(ctx: OpCtx, id: string, param = "payment_method"): PaymentMethodRec {
  const pm = ctx.reg.paymentMethods.get(id);
  if (pm) return pm;
  const test = testCardByPm(id);
  if (test) return register(ctx, fromTestCard(ctx, test, newId("pm")));
  throw new SimError(400, { type: "invalid_request_error", code: "resource_missing", param, message: `No such PaymentMethod: '${id}'`, doc_url: "https://stripe.com/docs/error-codes/resource-missing" }, { storable: false });
}

/** `payment_method` or `payment_method_data` on create/confirm/update, validated before any state changes. */
export function paymentMethodFromParams(ctx: OpCtx, p: Params): PaymentMethodRec | undefined {
  const id = optString(p, "payment_method");
  if (id) return resolvePaymentMethod(ctx, id);
  const data = p.payment_method_data;
  if (data !== undefined && data !== null && typeof data === "object" && !Array.isArray(data)) return createPaymentMethod(ctx, data as Params);
  return undefined;
}

import type { CheckoutLineItem } from "@/db/schema";
import { derivedId } from "../ids";
import { withIdempotency, type StoredResponse } from "../idempotency/with-idempotency";
import { stripeErrorBody, toDomainError } from "../http/stripe-errors";
import { refreshRequiresAction } from "../payments/authentication";
import { clientSecretMatches } from "../payments/client-secret";
import type { Outcome, PaymentsContext } from "../payments/context";
import { confirmPaymentIntent } from "../payments/orchestrator";
import { findPaymentIntent, type PaymentIntentRow } from "../payments/repository";
import { serializePaymentIntent } from "../payments/serialize";
import { expireIfDue } from "./service";
import { publicOrigin, successUrlFor } from "./public-url";
import { findCheckoutByToken, findIntentForHostedPage, updateCheckoutSession, type CheckoutSessionRow } from "./repository";

/**
 * The hosted page's server side: what the customer sees (a view computed from the session or the
 * bare intent, never from the client) and the one way to pay (a PSP payment method id).
 */
export type HostedState = "open" | "processing" | "complete" | "expired" | "cancelled";

export interface HostedView {
  merchantName: string;
  brandColor: string | null;
  currency: string;
  /** Minor units as a decimal string (bigint does not cross to the client). */
  amountTotal: string;
  lineItems: Pick<CheckoutLineItem, "id" | "name" | "quantity" | "unitAmount" | "amountTotal">[];
  customerEmail: string | null;
  state: HostedState;
  /** The last decline or failed authentication, shown above the form. */
  errorMessage: string | null;
  /** Where the customer goes after paying (success_url with the session id substituted). */
  successUrl: string | null;
  cancelUrl: string | null;
  /** The page's own path; 3-D Secure returns here. */
  pagePath: string;
}

export interface HostedTarget {
  merchantId: string;
  paymentIntentId: string;
  session: CheckoutSessionRow | null;
  pagePath: string;
  view: HostedView;
}

const lastError = (pi: PaymentIntentRow) =>
  pi.status === "requires_payment_method" && typeof pi.lastPaymentError?.message === "string" ? pi.lastPaymentError.message : null;

/** A payment still waiting for 3-D Secure is brought up to date first (the customer may be returning from the challenge). */
async function currentIntent(ctx: PaymentsContext, merchantId: string, id: string): Promise<PaymentIntentRow> {
  const pi = (await findPaymentIntent(ctx.db, merchantId, id))!;
  if (pi.status !== "requires_action") return pi;
  const refreshed = await refreshRequiresAction(ctx, merchantId, id);
  return refreshed.ok ? refreshed.value : (await findPaymentIntent(ctx.db, merchantId, id))!;
}

function intentState(pi: PaymentIntentRow): HostedState {
  switch (pi.status) {
    case "authorizing":
      return "processing";
    case "cancelled":
    case "cancelling":
    case "failed":
      return "cancelled";
    case "created":
    case "requires_payment_method":
    case "requires_confirmation":
    case "requires_action":
      return "open";
    default:
      return "complete";
  }
}

export async function loadSessionTarget(ctx: PaymentsContext, token: string): Promise<HostedTarget | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await findCheckoutByToken(ctx.db, token);
  if (!row) return null;
  let session = await expireIfDue(ctx.db, row.session);
  const pi = await currentIntent(ctx, session.merchantId, session.paymentIntentId);
  if (session.status === "open" && intentState(pi) === "complete") {
    // The payment completed (e.g. 3-D Secure just now): the session completed in the same transaction.
    session = (await findCheckoutByToken(ctx.db, token))!.session;
  }
  const state: HostedState = session.status === "open" ? intentState(pi) : session.status;
  const pagePath = `/c/pay/${token}`;
  return {
    merchantId: session.merchantId,
    paymentIntentId: session.paymentIntentId,
    session,
    pagePath,
    view: {
      merchantName: row.merchantName,
      brandColor: row.brandColor,
      currency: session.currency,
      amountTotal: session.amountTotal.toString(),
      lineItems: session.lineItems.map(({ id, name, quantity, unitAmount, amountTotal }) => ({ id, name, quantity, unitAmount, amountTotal })),
      customerEmail: session.customerDetailsEmail ?? session.customerEmail,
      state,
      errorMessage: lastError(pi),
      successUrl: session.successUrl ? successUrlFor(session.successUrl, session.id) : null,
      cancelUrl: session.cancelUrl,
      pagePath,
    },
  };
}

export async function loadIntentTarget(ctx: PaymentsContext, clientSecret: string): Promise<HostedTarget | null> {
  const id = clientSecret.split("_secret_")[0] ?? "";
  if (!/^pi_[A-Za-z0-9]{1,64}$/.test(id)) return null;
  const row = await findIntentForHostedPage(ctx.db, id);
  if (!row || !clientSecretMatches(row.pi.clientSecret, clientSecret)) return null;
  const pi = await currentIntent(ctx, row.pi.merchantId, id);
  const pagePath = `/pay/${clientSecret}`;
  return {
    merchantId: pi.merchantId,
    paymentIntentId: pi.id,
    session: null,
    pagePath,
    view: {
      merchantName: row.merchantName,
      brandColor: row.brandColor,
      currency: pi.currency,
      amountTotal: pi.amount.toString(),
      lineItems: [{ id: pi.id, name: pi.description ?? `Payment to ${row.merchantName}`, quantity: 1, unitAmount: pi.amount.toString(), amountTotal: pi.amount.toString() }],
      customerEmail: pi.receiptEmail,
      state: intentState(pi),
      errorMessage: lastError(pi),
      successUrl: null,
      cancelUrl: null,
      pagePath,
    },
  };
}

export type PayResult =
  | { outcome: "succeeded"; redirectUrl: string }
  | { outcome: "requires_action"; redirectUrl: string }
  | { outcome: "declined"; message: string }
  | { outcome: "closed"; message: string };

const CLOSED_MESSAGES: Record<Exclude<HostedState, "open">, string> = {
  processing: "This payment is already being processed.",
  complete: "This checkout session is already paid.",
  expired: "This checkout session has expired.",
  cancelled: "This payment has been cancelled.",
};

/**
 * Pays with a payment method the PSP tokenized in the browser. The confirmation runs once per
 * (target, payment method): its key is derived from both, so a double click, a reload or a second
 * tab with the same method replays the first answer, and the intent's state machine refuses a
 * second confirmation while one is in flight or after success.
 */
export async function payHosted(ctx: PaymentsContext, target: HostedTarget, input: { payment_method: string; email?: string }): Promise<PayResult> {
  const done = (): PayResult => ({ outcome: "succeeded", redirectUrl: target.view.successUrl ?? target.pagePath });
  if (target.view.state === "complete") return done();
  if (target.view.state !== "open") return { outcome: "closed", message: CLOSED_MESSAGES[target.view.state] };
  if (target.session && input.email && input.email !== target.session.customerDetailsEmail) {
    await updateCheckoutSession(ctx.db, target.session.id, { customerDetailsEmail: input.email });
  }
  const scope = target.session?.id ?? target.paymentIntentId;
  const render = (outcome: Outcome<unknown>): StoredResponse =>
    outcome.ok
      ? { status: 200, body: JSON.stringify(serializePaymentIntent(outcome.value as PaymentIntentRow)) }
      : { status: outcome.error.httpStatus, body: JSON.stringify(stripeErrorBody(outcome.error)) };
  let response: StoredResponse;
  try {
    ({ response } = await withIdempotency(
      ctx.db,
      { merchantId: target.merchantId, key: derivedId("hosted_checkout", scope, input.payment_method, 32), method: "POST", path: `${target.pagePath}/confirm`, params: { payment_method: input.payment_method } },
      render,
      ({ finalize, resume, requestId }) =>
        confirmPaymentIntent(ctx, target.merchantId, target.paymentIntentId, { payment_method: input.payment_method, return_url: `${publicOrigin()}${target.pagePath}` }, { finalize, resume, requestKey: requestId }),
    ));
  } catch (e) {
    response = render({ ok: false, error: toDomainError(e) });
  }
  const body = JSON.parse(response.body) as { status?: string; next_action?: { redirect_to_url?: { url?: string } }; error?: { code?: string; message?: string } };
  if (response.status === 200) {
    if (body.status === "succeeded" || body.status === "requires_capture") return done();
    if (body.status === "requires_action" && body.next_action?.redirect_to_url?.url) return { outcome: "requires_action", redirectUrl: body.next_action.redirect_to_url.url };
    return { outcome: "closed", message: CLOSED_MESSAGES.processing };
  }
  if (response.status === 402 || body.error?.code === "card_declined") return { outcome: "declined", message: body.error?.message ?? "Your card was declined." };
  if (response.status === 502) {
    return { outcome: "declined", message: "We could not reach the payment processor. You have not been charged twice; please try again." };
  }
  if (response.status === 409 || body.error?.code === "invalid_transition" || body.error?.code === "payment_intent_unexpected_state") {
    // Another tab or click got there first: answer with where that payment stands.
    const latest = (await findPaymentIntent(ctx.db, target.merchantId, target.paymentIntentId))!;
    const state = intentState(latest);
    return state === "complete" ? done() : { outcome: "closed", message: CLOSED_MESSAGES[state === "open" ? "processing" : state] };
  }
  return { outcome: "declined", message: body.error?.message ?? "Your payment could not be completed. Please try again." };
}

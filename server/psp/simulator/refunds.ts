/** Refunds against the captured amount of a payment intent's charge. */
import { emit, type OpCtx } from "./context";
import { invalidRequest, missingParam, resourceMissing } from "./errors";
import type { Params } from "../../http/stripe-form";
import { newId } from "./ids";
import { cleanMetadata, optEnum, optInt, optMetadata, optString } from "./params";
import { chargeJson, refundJson } from "./serialize";
import type { ChargeRec, RefundRec } from "./state";

const REASONS = ["duplicate", "fraudulent", "requested_by_customer"] as const;

function chargeFor(ctx: OpCtx, p: Params): ChargeRec {
  const piId = optString(p, "payment_intent");
  const chId = optString(p, "charge");
  if (!piId && !chId) throw missingParam("payment_intent");
  if (chId) {
    const ch = ctx.store.charges.get(chId);
    if (!ch) throw resourceMissing("charge", chId, "charge", 400);
    return ch;
  }
  const pi = ctx.store.paymentIntents.get(piId ?? "");
  if (!pi) throw resourceMissing("payment_intent", piId ?? "", "payment_intent", 400);
  const ch = pi.latestCharge ? ctx.store.charges.get(pi.latestCharge) : undefined;
  if (pi.status !== "succeeded" || !ch) {
    throw invalidRequest(
      "payment_intent_unexpected_state",
      `PaymentIntent ${pi.id} has a status of ${pi.status}; only a PaymentIntent with a captured charge (status succeeded) can be refunded.`,
      "payment_intent",
    );
  }
  return ch;
}

export function createRefund(ctx: OpCtx, p: Params): RefundRec {
  const charge = chargeFor(ctx, p);
  const requested = optInt(p, "amount", 1);
  const reason = optEnum(p, "reason", REASONS) ?? null;
  const metadata = cleanMetadata(optMetadata(p));
  if (charge.status !== "succeeded" || !charge.captured) {
    throw invalidRequest("charge_not_captured", `Charge ${charge.id} has not been captured; cancel the PaymentIntent instead.`, "charge");
  }
  const remaining = charge.amountCaptured - charge.amountRefunded;
  if (remaining <= 0) throw invalidRequest("charge_already_refunded", `Charge ${charge.id} has already been refunded.`);
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw invalidRequest("amount_too_large", `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`, "amount");
  }
  const now = ctx.reg.clock.now();
  const id = newId("re");
  const txn = ctx.store.balanceTransactions.add({
    id: newId("txn"),
    created: now,
    amount: -amount,
    fee: 0,
    net: -amount,
    currency: charge.currency,
    type: "refund",
    reportingCategory: "refund",
    source: id,
    description: "REFUND FOR CHARGE",
  });
  const refund = ctx.store.refunds.add({
    id,
    created: now,
    amount,
    currency: charge.currency,
    charge: charge.id,
    paymentIntent: charge.paymentIntent,
    reason,
    metadata,
    balanceTransaction: txn.id,
    status: ctx.faults.takeRefundPending(ctx.store.apiKey) ? "pending" : "succeeded",
    failureReason: null,
    failureBalanceTransaction: null,
  });
  ctx.reg.owners.set(id, ctx.store); // the control API decides pending refunds by id
  // Like Stripe, a pending refund already counts as refunded on the charge until it fails.
  charge.amountRefunded += amount;
  ctx.store.stats.refunds += 1;
  emit(ctx, "refund.created", refundJson(refund));
  emit(ctx, "charge.refunded", chargeJson(charge, ctx.reg.paymentMethods.get(charge.paymentMethod)));
  return refund;
}

export type RefundDecision = { outcome: "succeeded" } | { outcome: "failed"; failureReason: string };

/**
 * Decides a pending refund, as the card network eventually does. A failure gives the amount back
 * to the charge and books a `refund_failure` balance transaction that reverses the refund's.
 */
export function decideRefund(ctx: OpCtx, refund: RefundRec, decision: RefundDecision): RefundRec {
  if (refund.status !== "pending") {
    throw invalidRequest("refund_unexpected_state", `Refund ${refund.id} has a status of ${refund.status}; only a pending refund can be decided.`);
  }
  if (decision.outcome === "succeeded") {
    refund.status = "succeeded";
    emit(ctx, "refund.updated", refundJson(refund));
    return refund;
  }
  const charge = ctx.store.charges.get(refund.charge);
  if (charge) charge.amountRefunded -= refund.amount;
  const txn = ctx.store.balanceTransactions.add({
    id: newId("txn"),
    created: ctx.reg.clock.now(),
    amount: refund.amount,
    fee: 0,
    net: refund.amount,
    currency: refund.currency,
    type: "refund_failure",
    reportingCategory: "refund_failure",
    source: refund.id,
    description: "REFUND FAILURE",
  });
  refund.status = "failed";
  refund.failureReason = decision.failureReason;
  refund.failureBalanceTransaction = txn.id;
  emit(ctx, "refund.updated", refundJson(refund));
  emit(ctx, "refund.failed", refundJson(refund));
  return refund;
}

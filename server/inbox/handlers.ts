import type { PaymentsContext } from "../payments/context";
import { refreshRequiresAction } from "../payments/authentication";
import { findPaymentIntent } from "../payments/repository";
import { refreshDispute } from "../disputes/inbox";

/** What a handler did with a stored PSP event. */
export type HandlerOutcome = "applied" | "ignored";

export interface PspEventInput {
  type: string;
  object: Record<string, unknown>;
}

export type PspEventHandler = (ctx: PaymentsContext, event: PspEventInput) => Promise<HandlerOutcome>;

/** Thrown when an event names an object we have not committed yet (its API response is still in flight): retried. */
export class ObjectNotYetKnown extends Error {}

function payrailIds(object: Record<string, unknown>): { merchantId: string; paymentIntentId: string } | null {
  const md = object.metadata as Record<string, unknown> | undefined;
  const merchantId = md?.payrail_merchant;
  const paymentIntentId = md?.payrail_payment_intent;
  return typeof merchantId === "string" && typeof paymentIntentId === "string" ? { merchantId, paymentIntentId } : null;
}

/**
 * The one pattern for every handler: the event only says "look again". Retrieve the PSP's current
 * state of the intent and apply it through the existing apply path, so duplicates, late and
 * out-of-order events are harmless. Intents and charges carry our ids in their metadata.
 */
const refreshIntent: PspEventHandler = async (ctx, event) => {
  const ids = payrailIds(event.object);
  if (!ids) return "ignored"; // not created by Payrail
  const pi = await findPaymentIntent(ctx.db, ids.merchantId, ids.paymentIntentId);
  if (!pi) throw new ObjectNotYetKnown(`payment intent ${ids.paymentIntentId} is not committed yet`);
  await refreshRequiresAction(ctx, ids.merchantId, ids.paymentIntentId);
  return "applied";
};

/**
 * Event type -> handler. Types not listed are marked processed with outcome "ignored". Refund and
 * dispute events get their handlers with the refund-status and dispute services (issue 6 §1, §4):
 * until then the stale-attempt sweep resolves refunds by retrieving them from the PSP.
 */
export const PSP_EVENT_HANDLERS: Record<string, PspEventHandler> = {
  "payment_intent.requires_action": refreshIntent,
  "payment_intent.succeeded": refreshIntent,
  "payment_intent.payment_failed": refreshIntent,
  "payment_intent.canceled": refreshIntent,
  "payment_intent.amount_capturable_updated": refreshIntent,
  "charge.succeeded": refreshIntent,
  "charge.captured": refreshIntent,
  "charge.dispute.created": refreshDispute,
  "charge.dispute.updated": refreshDispute,
  "charge.dispute.closed": refreshDispute,
  "charge.dispute.funds_withdrawn": refreshDispute,
  "charge.dispute.funds_reinstated": refreshDispute,
};

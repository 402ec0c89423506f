import type { PaymentsContext } from "../payments/context";
import { NotYetConverged, syncIntentWithPsp } from "../payments/converge";
import { findPaymentIntent } from "../payments/repository";
import { refreshDispute } from "../disputes/inbox";
import { findRefundById, listPendingRefunds } from "../refunds/repository";
import { syncRefundWithPsp } from "../refunds/service";

/** What a handler did with a stored PSP event. */
export type HandlerOutcome = "applied" | "ignored";

export interface PspEventInput {
  type: string;
  object: Record<string, unknown>;
}

export type PspEventHandler = (ctx: PaymentsContext, event: PspEventInput) => Promise<HandlerOutcome>;

/** Thrown when an event names an object we have not committed yet (its API response is still in flight): retried. */
export class ObjectNotYetKnown extends Error {}
/** Thrown when the object exists but cannot be brought to the PSP's state yet (its call may still run in its request): retried. */
export { NotYetConverged };

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function payrailIds(object: Record<string, unknown>): { merchantId: string; paymentIntentId: string } | null {
  const md = object.metadata as Record<string, unknown> | undefined;
  const merchantId = str(md?.payrail_merchant);
  const paymentIntentId = str(md?.payrail_payment_intent);
  return merchantId && paymentIntentId ? { merchantId, paymentIntentId } : null;
}

/** The PSP intent an event's object is or belongs to (a payment intent, or a charge's payment_intent). */
function pspIntentIdOf(object: Record<string, unknown>): string | null {
  if (object.object === "payment_intent") return str(object.id);
  const pi = object.payment_intent;
  return str(pi) ?? (pi && typeof pi === "object" ? str((pi as Record<string, unknown>).id) : null);
}

/**
 * The one pattern for every handler: the event only says "look again". Retrieve the PSP's current
 * state and apply it through the apply path the orchestrator uses (server/payments/converge.ts), so
 * duplicates, late and out-of-order events are harmless. Intents and charges carry our ids in
 * their metadata, refunds carry `payrail_refund`.
 */
const refreshIntent: PspEventHandler = async (ctx, event) => {
  const ids = payrailIds(event.object);
  if (!ids) return "ignored"; // not created by Payrail
  const pi = await findPaymentIntent(ctx.db, ids.merchantId, ids.paymentIntentId);
  if (!pi) throw new ObjectNotYetKnown(`payment intent ${ids.paymentIntentId} is not committed yet`);
  return syncIntentWithPsp(ctx, ids.merchantId, ids.paymentIntentId, pspIntentIdOf(event.object));
};

/** A refund event: the PSP refund names ours in its metadata. */
const refreshRefund: PspEventHandler = async (ctx, event) => {
  const md = event.object.metadata as Record<string, unknown> | undefined;
  const refundId = str(md?.payrail_refund);
  if (!refundId) return "ignored";
  const refund = await findRefundById(ctx.db, refundId);
  if (!refund) throw new ObjectNotYetKnown(`refund ${refundId} is not committed yet`);
  return syncRefundWithPsp(ctx, refund, str(event.object.id));
};

/** charge.refunded: the intent first (a refund may settle it), then each of its refunds still pending. */
const refreshChargeRefunds: PspEventHandler = async (ctx, event) => {
  const ids = payrailIds(event.object);
  if (!ids) return "ignored";
  const pi = await findPaymentIntent(ctx.db, ids.merchantId, ids.paymentIntentId);
  if (!pi) throw new ObjectNotYetKnown(`payment intent ${ids.paymentIntentId} is not committed yet`);
  let outcome: HandlerOutcome = "ignored";
  for (const refund of await listPendingRefunds(ctx.db, pi.id)) {
    if (refund.pspRefundId && (await syncRefundWithPsp(ctx, refund, null)) === "applied") outcome = "applied";
  }
  return outcome;
};

/**
 * Event type -> handler. Types not listed are marked processed with outcome "ignored". Dispute
 * events get their handlers with the dispute service (issue 6 §4).
 */
export const PSP_EVENT_HANDLERS: Record<string, PspEventHandler> = {
  "payment_intent.requires_action": refreshIntent,
  "payment_intent.succeeded": refreshIntent,
  "payment_intent.payment_failed": refreshIntent,
  "payment_intent.canceled": refreshIntent,
  "payment_intent.amount_capturable_updated": refreshIntent,
  "payment_intent.processing": refreshIntent,
  "charge.succeeded": refreshIntent,
  "charge.failed": refreshIntent,
  "charge.captured": refreshIntent,
  "charge.dispute.created": refreshDispute,
  "charge.dispute.updated": refreshDispute,
  "charge.dispute.closed": refreshDispute,
  "charge.dispute.funds_withdrawn": refreshDispute,
  "charge.dispute.funds_reinstated": refreshDispute,
  "charge.refunded": refreshChargeRefunds,
  "refund.created": refreshRefund,
  "refund.updated": refreshRefund,
  "refund.failed": refreshRefund,
  "charge.refund.updated": refreshRefund,
};

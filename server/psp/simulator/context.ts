/** Per-request context handed to the domain operations. */
import type { FaultBook } from "./faults";
import { newId } from "./ids";
import type { EventRec, Registry, Store } from "./state";

export const DEFAULT_API_VERSION = "2026-10-28.endive";

export interface OpCtx {
  reg: Registry;
  store: Store;
  faults: FaultBook;
  /** Public base URL of the simulator (for 3DS redirect URLs). */
  baseUrl: string;
  requestId: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
}

export type EventType =
  | "payment_intent.created"
  | "payment_intent.requires_action"
  | "payment_intent.amount_capturable_updated"
  | "payment_intent.succeeded"
  | "payment_intent.payment_failed"
  | "payment_intent.canceled"
  | "charge.succeeded"
  | "charge.failed"
  | "charge.captured"
  | "charge.refunded"
  | "refund.created"
  | "refund.updated"
  | "refund.failed"
  | "charge.dispute.created"
  | "charge.dispute.updated"
  | "charge.dispute.closed"
  | "charge.dispute.funds_withdrawn"
  | "charge.dispute.funds_reinstated";

/** Record an event (snapshot of `object`) and hand it to webhook delivery. */
export function emit(ctx: OpCtx, type: EventType, object: Record<string, unknown>): EventRec {
  const evt: EventRec = {
    id: newId("evt"),
    created: ctx.reg.clock.now(),
    type,
    object,
    apiVersion: ctx.apiVersion,
    requestId: ctx.requestId,
    idempotencyKey: ctx.idempotencyKey,
    pendingWebhooks: ctx.reg.hasWebhookEndpoint(ctx.store.apiKey) ? 1 : 0,
  };
  ctx.store.events.add(evt);
  ctx.reg.onEvent(evt, ctx.store);
  return evt;
}

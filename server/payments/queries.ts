import { DomainError } from "../errors";
import { refreshRequiresAction } from "./authentication";
import type { PaymentsContext } from "./context";
import { findRefund, listRefunds } from "../refunds/repository";
import { findEvent, findPaymentIntent, listEvents, listPaymentIntents } from "./repository";
import { listInput } from "./schemas";
import { serializeEvent, serializeList, serializePaymentIntent, serializeRefund } from "./serialize";

/** Read side of the merchant API: Stripe-shaped objects and cursor-paginated lists. */
type Ctx = Pick<PaymentsContext, "db"> & { merchantId: string };

/** Limit and cursor; like Stripe, a cursor naming no object of this list is a 404, not an empty page. */
export async function page(params: URLSearchParams, object: string, find: (id: string) => Promise<unknown>) {
  const parsed = listInput.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new DomainError("parameter_invalid", `Invalid list parameters: ${parsed.error.issues[0]?.message}`, { param: "limit" });
  const { starting_after: startingAfter, ending_before: endingBefore } = parsed.data;
  const cursor = startingAfter ?? endingBefore;
  if (cursor !== undefined && !(await find(cursor))) {
    throw new DomainError("resource_missing", `No such ${object}: '${cursor}'`, { param: startingAfter !== undefined ? "starting_after" : "ending_before" });
  }
  return { limit: parsed.data.limit, startingAfter, endingBefore };
}

/** Retrieve; an intent waiting for 3-D Secure is first brought up to date with the PSP. */
export async function getPaymentIntent(ctx: Ctx & Pick<PaymentsContext, "psp">, id: string) {
  const pi = await findPaymentIntent(ctx.db, ctx.merchantId, id);
  if (!pi) throw new DomainError("resource_missing", `No such payment_intent: '${id}'`, { param: "intent" });
  if (pi.status !== "requires_action") return serializePaymentIntent(pi);
  // A failed challenge is an answer, not an error of the read: it shows as last_payment_error.
  const refreshed = await refreshRequiresAction(ctx, ctx.merchantId, id);
  return serializePaymentIntent(refreshed.ok ? refreshed.value : await findPaymentIntent(ctx.db, ctx.merchantId, id).then((r) => r!));
}

export async function listPaymentIntentsPage(ctx: Ctx, params: URLSearchParams) {
  const { rows, hasMore } = await listPaymentIntents(ctx.db, {
    merchantId: ctx.merchantId,
    ...(await page(params, "payment_intent", (id) => findPaymentIntent(ctx.db, ctx.merchantId, id))),
  });
  return serializeList("/v1/payment_intents", rows.map(serializePaymentIntent), hasMore);
}

export async function getRefund(ctx: Ctx, id: string) {
  const r = await findRefund(ctx.db, ctx.merchantId, id);
  if (!r) throw new DomainError("resource_missing", `No such refund: '${id}'`, { param: "id" });
  return serializeRefund(r);
}

export async function listRefundsPage(ctx: Ctx, params: URLSearchParams) {
  const paymentIntentId = params.get("payment_intent") ?? undefined;
  params.delete("payment_intent");
  const { rows, hasMore } = await listRefunds(ctx.db, {
    merchantId: ctx.merchantId,
    paymentIntentId,
    ...(await page(params, "refund", (id) => findRefund(ctx.db, ctx.merchantId, id))),
  });
  return serializeList("/v1/refunds", rows.map(serializeRefund), hasMore);
}

export async function getEvent(ctx: Ctx, id: string) {
  const e = await findEvent(ctx.db, ctx.merchantId, id);
  if (!e) throw new DomainError("resource_missing", `No such event: '${id}'`, { param: "id" });
  return serializeEvent(e);
}

export async function listEventsPage(ctx: Ctx, params: URLSearchParams) {
  const type = params.get("type") ?? undefined;
  params.delete("type");
  const { rows, hasMore } = await listEvents(ctx.db, { merchantId: ctx.merchantId, type, ...(await page(params, "event", (id) => findEvent(ctx.db, ctx.merchantId, id))) });
  return serializeList("/v1/events", rows.map(serializeEvent), hasMore);
}

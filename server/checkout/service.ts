import { randomBytes } from "node:crypto";
import type { CheckoutLineItem } from "@/db/schema";
import type { DbOrTx } from "@/db/client";
import { DomainError } from "../errors";
import { derivedId, newId } from "../ids";
import { normalizeCurrency } from "../money/money";
import { requireIntent } from "../payments/apply";
import { newClientSecret } from "../payments/client-secret";
import { finish, type CallOptions, type PaymentsContext } from "../payments/context";
import { page } from "../payments/queries";
import { insertPaymentIntent, recordEvent, updatePaymentIntent } from "../payments/repository";
import { serializeList, serializePaymentIntent } from "../payments/serialize";
import { transition } from "../payments/state-machine";
import { computeTotals } from "./amounts";
import { hostedCheckoutUrl } from "./public-url";
import {
  findCheckoutSession,
  insertCheckoutSession,
  listCheckoutSessions,
  updateCheckoutSession,
  type CheckoutSessionRow,
} from "./repository";
import type { CreateCheckoutSessionInput } from "./schemas";
import { serializeCheckoutSession, serializeLineItem } from "./serialize";

type Ctx = Pick<PaymentsContext, "db"> & { merchantId: string };

/** Stripe's bounds for expires_at: 30 minutes to 24 hours after creation. */
const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 60 * 60;

export async function createCheckoutSession(ctx: Ctx, input: CreateCheckoutSessionInput, opts: CallOptions = {}): Promise<CheckoutSessionRow> {
  const { merchantId } = ctx;
  if (input.line_items.some((l) => l.price)) {
    throw new DomainError("parameter_invalid", "Prices by id are not supported yet; pass line_items[][price_data].", { param: "line_items" });
  }
  const currency = normalizeCurrency(input.line_items[0]!.price_data.currency, "line_items[0][price_data][currency]");
  input.line_items.forEach((l, i) => {
    if (normalizeCurrency(l.price_data.currency, `line_items[${i}][price_data][currency]`) !== currency) {
      throw new DomainError("parameter_invalid", "All line items must use the same currency.", { param: `line_items[${i}][price_data][currency]` });
    }
  });
  const { lineTotals, total } = computeTotals(input.line_items.map((l) => ({ unitAmount: l.price_data.unit_amount, quantity: l.quantity })));
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = input.expires_at ?? now + MAX_EXPIRY_S;
  if (expiresAt < now + MIN_EXPIRY_S - 60 || expiresAt > now + MAX_EXPIRY_S + 60) {
    throw new DomainError("parameter_invalid", "expires_at must be between 30 minutes and 24 hours from now.", { param: "expires_at" });
  }
  // Ids derived from the idempotent request, so a resumed create finds what it wrote.
  const id = opts.requestKey ? derivedId("cs_test", merchantId, opts.requestKey, 32) : newId("cs_test", 32);
  const piId = opts.requestKey ? derivedId("pi", merchantId, `${opts.requestKey}:checkout`) : newId("pi");
  const token = randomBytes(32).toString("base64url");
  const lineItems: CheckoutLineItem[] = input.line_items.map((l, i) => ({
    id: derivedId("li", id, String(i)),
    name: l.price_data.product_data.name,
    currency,
    unitAmount: l.price_data.unit_amount.toString(),
    quantity: l.quantity,
    amountTotal: lineTotals[i]!.toString(),
  }));
  return ctx.db.transaction(async (tx) => {
    const pi = await insertPaymentIntent(tx, {
      id: piId,
      merchantId,
      amount: total,
      currency,
      status: "created",
      captureMethod: input.payment_intent_data?.capture_method === "manual" ? "manual" : "automatic",
      description: input.payment_intent_data?.description ?? null,
      metadata: {},
      // 3-D Secure returns the customer to the hosted page, which resumes the payment.
      returnUrl: hostedCheckoutUrl(token),
      clientSecret: newClientSecret(piId),
      receiptEmail: input.customer_email ?? null,
    });
    const session = await insertCheckoutSession(tx, {
      id,
      merchantId,
      urlToken: token,
      status: "open",
      paymentStatus: "unpaid",
      amountTotal: total,
      currency,
      lineItems,
      paymentIntentId: pi.id,
      successUrl: input.success_url ?? null,
      cancelUrl: input.cancel_url ?? null,
      customerEmail: input.customer_email ?? null,
      metadata: input.metadata ?? {},
      expiresAt: new Date(expiresAt * 1000),
    });
    await recordEvent(tx, merchantId, "payment_intent.created", pi.id, serializePaymentIntent(pi));
    await finish(tx, opts, { ok: true, value: session });
    return session;
  });
}

async function requireSession(db: DbOrTx, merchantId: string, id: string) {
  const s = await findCheckoutSession(db, merchantId, id);
  if (!s) throw new DomainError("resource_missing", `No such checkout.session: '${id}'`, { param: "session" });
  return s;
}

/** Retrieve; a session past its expires_at is expired first (the sweep does the same in the background). */
export async function getCheckoutSession(ctx: Ctx, id: string): Promise<CheckoutSessionRow> {
  return expireIfDue(ctx.db, await requireSession(ctx.db, ctx.merchantId, id));
}

export async function expireIfDue(db: PaymentsContext["db"], s: CheckoutSessionRow): Promise<CheckoutSessionRow> {
  if (s.status !== "open" || s.expiresAt.getTime() > Date.now()) return s;
  try {
    return await expireSession(db, s.merchantId, s.id, {}, { dueOnly: true });
  } catch (e) {
    // A payment in flight keeps the session open until it ends.
    if (e instanceof DomainError && e.code === "invalid_transition") return s;
    throw e;
  }
}

export function expireCheckoutSession(ctx: Ctx, id: string, opts: CallOptions = {}) {
  return expireSession(ctx.db, ctx.merchantId, id, opts, { dueOnly: false });
}

/**
 * open -> expired, with the session's unpaid intent cancelled in the same transaction. Locks the
 * intent before the session (the order the payment path uses), so an expiry and a confirmation
 * serialize: once the intent is authorizing it can no longer be cancelled here.
 */
async function expireSession(db: PaymentsContext["db"], merchantId: string, id: string, opts: CallOptions, mode: { dueOnly: boolean }) {
  const first = await requireSession(db, merchantId, id);
  return db.transaction(async (tx) => {
    const pi = await requireIntent(tx, merchantId, first.paymentIntentId, { lock: true });
    const s = (await findCheckoutSession(tx, merchantId, id, { lock: true }))!;
    if (s.status !== "open" || (mode.dueOnly && s.expiresAt.getTime() > Date.now())) {
      if (mode.dueOnly) return s;
      throw new DomainError("invalid_transition", `Only Checkout Sessions with a status of open can be expired; ${s.id} is ${s.status}.`, { param: "session" });
    }
    const status = transition(pi.status, "cancel", pi.id);
    if (status !== "cancelled") {
      throw new DomainError("invalid_transition", `Checkout Session ${s.id} has a payment in progress and cannot be expired now.`, { param: "session" });
    }
    const cancelled = await updatePaymentIntent(tx, pi, { status, cancellationReason: "abandoned", nextAction: null });
    const expired = await updateCheckoutSession(tx, s.id, { status: "expired" });
    await recordEvent(tx, merchantId, "payment_intent.canceled", pi.id, serializePaymentIntent(cancelled));
    await recordEvent(tx, merchantId, "checkout.session.expired", s.id, serializeCheckoutSession(expired));
    await finish(tx, opts, { ok: true, value: expired });
    return expired;
  });
}

export async function listCheckoutSessionsPage(ctx: Ctx, params: URLSearchParams) {
  const { rows, hasMore } = await listCheckoutSessions(ctx.db, {
    merchantId: ctx.merchantId,
    paymentIntent: params.get("payment_intent") ?? undefined,
    ...(await page(params, "checkout.session", (id) => findCheckoutSession(ctx.db, ctx.merchantId, id))),
  });
  return serializeList("/v1/checkout/sessions", rows.map((r) => serializeCheckoutSession(r)), hasMore);
}

/** Line items are at most 100 per session and kept with it: paginated in memory by id. */
export async function listLineItemsPage(ctx: Ctx, id: string, params: URLSearchParams) {
  const s = await requireSession(ctx.db, ctx.merchantId, id);
  const items = s.lineItems;
  const { limit, startingAfter, endingBefore } = await page(params, "line item", async (cursor) => items.find((li) => li.id === cursor));
  let from = 0;
  let to = items.length;
  if (startingAfter) from = items.findIndex((li) => li.id === startingAfter) + 1;
  if (endingBefore) to = items.findIndex((li) => li.id === endingBefore);
  const slice = endingBefore ? items.slice(Math.max(from, to - limit), to) : items.slice(from, from + limit);
  const hasMore = endingBefore ? to - limit > from : from + limit < to;
  return serializeList(`/v1/checkout/sessions/${s.id}/line_items`, slice.map((li) => serializeLineItem(s, li)), hasMore);
}

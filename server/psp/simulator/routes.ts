/** `/v1` route table: thin handlers that read params, call an operation and serialize. */
import type { OpCtx } from "./context";
import { resourceMissing } from "./errors";
import type { Params } from "../../http/stripe-form";
import { createdRange, expandPaths, listParams, optString } from "./params";
import { createPaymentMethod, findPaymentMethod } from "./payment-methods";
import { cancelPaymentIntent, capturePaymentIntent, confirmPaymentIntent, createPaymentIntent, getPaymentIntent, updatePaymentIntent } from "./payments";
import { createRefund } from "./refunds";
import { balanceTransactionJson, chargeJson, disputeJsonFor, eventJson, expand, listJson, paymentIntentJson, paymentMethodJson, refundJson } from "./serialize";
import { closeDispute, updateDispute } from "./disputes";
import type { Collection, DisputeRec } from "./state";

type Json = Record<string, unknown>;

export interface V1Request {
  ctx: OpCtx;
  params: Params;
  /** Captured path segments (ids). */
  args: string[];
}

export interface V1Result {
  status: number;
  body: Json;
}

export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  handler: (req: V1Request) => V1Result;
  /** Callable with a publishable key (pk_test_), like Stripe.js tokenization. */
  publishable?: boolean;
  /** Callable with a publishable key plus the intent's client_secret (Stripe.js retrieve/confirm). */
  clientSecret?: boolean;
}

const ok = (body: Json): V1Result => ({ status: 200, body });

function one(req: V1Request, body: Json): V1Result {
  return ok(expand(req.ctx.reg, req.ctx.store, body, expandPaths(req.params)));
}

function list<T extends { id: string; created: number }>(
  req: V1Request,
  url: string,
  kind: string,
  coll: Collection<T>,
  toJson: (item: T) => Json,
  filter?: (item: T) => boolean,
): V1Result {
  const lp = listParams(req.params);
  const page = coll.page({ ...lp, kind, filter, created: createdRange(req.params) });
  const paths = expandPaths(req.params)
    .filter((p) => p.startsWith("data."))
    .map((p) => p.slice(5));
  const data = page.data.map((item) => expand(req.ctx.reg, req.ctx.store, toJson(item), paths));
  return ok(listJson(url, data, page.hasMore));
}

function arg(req: V1Request): string {
  return req.args[0] ?? "";
}

function getDispute(req: V1Request): DisputeRec {
  const d = req.ctx.store.disputes.get(arg(req));
  if (!d) throw resourceMissing("dispute", arg(req), "dispute");
  return d;
}

function piResult(req: V1Request, pi: Parameters<typeof paymentIntentJson>[0]): V1Result {
  return one(req, paymentIntentJson(pi));
}

function eventTypeFilter(p: Params): ((t: string) => boolean) | undefined {
  const single = optString(p, "type");
  const many = Array.isArray(p.types) ? p.types.filter((x): x is string => typeof x === "string") : [];
  const patterns = single ? [single, ...many] : many;
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map((pat) => (pat.endsWith(".*") ? (t: string) => t.startsWith(pat.slice(0, -1)) : (t: string) => t === pat));
  return (t) => matchers.some((m) => m(t));
}

export const ROUTES: Route[] = [
  {
    method: "POST",
    pattern: /^\/v1\/payment_methods$/,
    publishable: true,
    handler: (req) => ok(paymentMethodJson(createPaymentMethod(req.ctx, req.params))),
  },
  {
    method: "GET",
    pattern: /^\/v1\/payment_methods\/([^/]+)$/,
    handler: (req) => {
      const pm = findPaymentMethod(req.ctx, arg(req));
      if (!pm) throw resourceMissing("payment_method", arg(req), "payment_method");
      return ok(paymentMethodJson(pm));
    },
  },
  { method: "POST", pattern: /^\/v1\/payment_intents$/, handler: (req) => piResult(req, createPaymentIntent(req.ctx, req.params)) },
  {
    method: "GET",
    pattern: /^\/v1\/payment_intents$/,
    handler: (req) => list(req, "/v1/payment_intents", "payment_intent", req.ctx.store.paymentIntents, paymentIntentJson),
  },
  { method: "GET", pattern: /^\/v1\/payment_intents\/([^/]+)$/, clientSecret: true, handler: (req) => piResult(req, getPaymentIntent(req.ctx, arg(req))) },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)$/,
    handler: (req) => piResult(req, updatePaymentIntent(req.ctx, getPaymentIntent(req.ctx, arg(req)), req.params)),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
    clientSecret: true,
    handler: (req) => piResult(req, confirmPaymentIntent(req.ctx, getPaymentIntent(req.ctx, arg(req)), req.params)),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)\/capture$/,
    handler: (req) => piResult(req, capturePaymentIntent(req.ctx, getPaymentIntent(req.ctx, arg(req)), req.params)),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
    handler: (req) => piResult(req, cancelPaymentIntent(req.ctx, getPaymentIntent(req.ctx, arg(req)), req.params)),
  },
  { method: "POST", pattern: /^\/v1\/refunds$/, handler: (req) => one(req, refundJson(createRefund(req.ctx, req.params))) },
  {
    method: "GET",
    pattern: /^\/v1\/refunds$/,
    handler: (req) => {
      const pi = optString(req.params, "payment_intent");
      const ch = optString(req.params, "charge");
      return list(req, "/v1/refunds", "refund", req.ctx.store.refunds, refundJson, (r) => (!pi || r.paymentIntent === pi) && (!ch || r.charge === ch));
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/refunds\/([^/]+)$/,
    handler: (req) => {
      const r = req.ctx.store.refunds.get(arg(req));
      if (!r) throw resourceMissing("refund", arg(req), "refund");
      return one(req, refundJson(r));
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/charges$/,
    handler: (req) => {
      const pi = optString(req.params, "payment_intent");
      const { reg } = req.ctx;
      return list(req, "/v1/charges", "charge", req.ctx.store.charges, (c) => chargeJson(c, reg.paymentMethods.get(c.paymentMethod)), pi ? (c) => c.paymentIntent === pi : undefined);
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/charges\/([^/]+)$/,
    handler: (req) => {
      const c = req.ctx.store.charges.get(arg(req));
      if (!c) throw resourceMissing("charge", arg(req), "charge");
      return one(req, chargeJson(c, req.ctx.reg.paymentMethods.get(c.paymentMethod)));
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/balance_transactions$/,
    handler: (req) => {
      const type = optString(req.params, "type");
      const source = optString(req.params, "source");
      const currency = optString(req.params, "currency")?.toLowerCase();
      const filter =
        type || source || currency
          ? (t: { type: string; source: string; currency: string }) => (!type || t.type === type) && (!source || t.source === source) && (!currency || t.currency === currency)
          : undefined;
      return list(req, "/v1/balance_transactions", "balance_transaction", req.ctx.store.balanceTransactions, balanceTransactionJson, filter);
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/balance_transactions\/([^/]+)$/,
    handler: (req) => {
      const t = req.ctx.store.balanceTransactions.get(arg(req));
      if (!t) throw resourceMissing("balance_transaction", arg(req), "id");
      return one(req, balanceTransactionJson(t));
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/events$/,
    handler: (req) => {
      const match = eventTypeFilter(req.params);
      return list(req, "/v1/events", "event", req.ctx.store.events, eventJson, match ? (e) => match(e.type) : undefined);
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/events\/([^/]+)$/,
    handler: (req) => {
      const e = req.ctx.store.events.get(arg(req));
      if (!e) throw resourceMissing("event", arg(req), "id");
      return ok(eventJson(e));
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/disputes$/,
    handler: (req) => {
      const pi = optString(req.params, "payment_intent");
      const ch = optString(req.params, "charge");
      const { store } = req.ctx;
      const filter = pi || ch ? (d: DisputeRec) => (!pi || d.paymentIntent === pi) && (!ch || d.charge === ch) : undefined;
      return list(req, "/v1/disputes", "dispute", store.disputes, (d) => disputeJsonFor(store, d), filter);
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/disputes\/([^/]+)$/,
    handler: (req) => one(req, disputeJsonFor(req.ctx.store, getDispute(req))),
  },
  {
    method: "POST",
    pattern: /^\/v1\/disputes\/([^/]+)$/,
    handler: (req) => one(req, disputeJsonFor(req.ctx.store, updateDispute(req.ctx, getDispute(req), req.params))),
  },
  {
    method: "POST",
    pattern: /^\/v1\/disputes\/([^/]+)\/close$/,
    handler: (req) => one(req, disputeJsonFor(req.ctx.store, closeDispute(req.ctx, getDispute(req)))),
  },
];

export interface RouteMatch {
  route: Route;
  args: string[];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Find the route for a method and path (Stripe answers unknown ones with 404). */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, args: m.slice(1).map(safeDecode) };
  }
  return undefined;
}

/** Unauthenticated control API under `/_sim/` and the 3DS challenge routes under `/3ds/`. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OpCtx } from "./context";
import { SimError } from "./errors";
import type { FaultBook } from "./faults";
import { decodeForm, type Params } from "../../http/stripe-form";
import { redirect, send, sendJson } from "./http";
import { completeThreeDs, type ThreeDsOutcome } from "./payments";
import { alterReport } from "./reconciliation";
import { decideDispute, openDispute } from "./disputes";
import { decideRefund } from "./refunds";
import { disputeJsonFor, paymentIntentJson, refundJson } from "./serialize";
import type { ChargeRec, PaymentIntentRec, Registry, Store } from "./state";
import { statsJson } from "./stats";
import { challengePage, messagePage, returnLocation } from "./threeds";
import type { WebhookDispatcher } from "./webhooks";

export interface ControlDeps {
  reg: Registry;
  faults: FaultBook;
  webhooks: WebhookDispatcher;
  defaultWebhookSecret: string;
  ctxFor(store: Store): OpCtx;
}

function badRequest(res: ServerResponse, message: string, status = 400): void {
  sendJson(res, status, { error: { type: "invalid_request_error", message } });
}

function parseBody(raw: string, contentType: string | undefined): Params | null {
  if (!raw.trim()) return {};
  if (contentType?.includes("application/json") || raw.trimStart().startsWith("{")) {
    try {
      const v: unknown = JSON.parse(raw);
      return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Params) : null;
    } catch {
      return null;
    }
  }
  return decodeForm(raw);
}

function findIntent(reg: Registry, id: string): { pi: PaymentIntentRec; store: Store } | null {
  const store = reg.owners.get(id);
  const pi = store?.paymentIntents.get(id);
  return store && pi ? { pi, store } : null;
}

/** The charge named by `charge`, or the latest charge of `payment_intent`. */
function findCharge(reg: Registry, body: Params): { charge: ChargeRec; store: Store } | { error: string; param: string } {
  if (typeof body.charge === "string" && body.charge) {
    const store = reg.owners.get(body.charge);
    const charge = store?.charges.get(body.charge);
    return store && charge ? { charge, store } : { error: `No such charge: '${body.charge}'`, param: "charge" };
  }
  const piId = typeof body.payment_intent === "string" ? body.payment_intent : "";
  const found = findIntent(reg, piId);
  const charge = found ? found.store.charges.get(found.pi.latestCharge ?? "") : undefined;
  if (!found) return { error: `No such payment_intent: '${piId}'`, param: "payment_intent" };
  if (!charge) return { error: `PaymentIntent ${piId} has no charge to dispute.`, param: "payment_intent" };
  return { charge, store: found.store };
}

/** Runs a control operation, answering a SimError with its status and body. */
function guarded(res: ServerResponse, op: () => Record<string, unknown>): void {
  try {
    sendJson(res, 200, op());
  } catch (e) {
    if (e instanceof SimError) sendJson(res, e.status, { error: e.body });
    else throw e;
  }
}

function outcomeOf(v: unknown): ThreeDsOutcome | null {
  if (v === "success" || v === "complete" || v === "succeeded") return "success";
  if (v === "fail" || v === "failure" || v === "failed") return "fail";
  return null;
}

/** Returns false when the path is not a control route. */
export function handleControl(deps: ControlDeps, req: IncomingMessage, res: ServerResponse, url: URL, raw: string): boolean {
  const { reg, faults, webhooks } = deps;
  const method = req.method ?? "GET";
  const path = url.pathname.replace(/\/+$/, "");
  const q = url.searchParams;
  const body = parseBody(raw, req.headers["content-type"]);
  if (body === null) {
    badRequest(res, "Body must be a JSON object.");
    return true;
  }
  const apiKeyParam = q.get("apiKey") ?? (typeof body.apiKey === "string" ? body.apiKey : undefined);

  if (path === "/_sim/health" && method === "GET") {
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (path === "/_sim/faults") {
    if (method === "GET") sendJson(res, 200, faults.snapshot());
    else if (method === "DELETE") {
      faults.clear(q.get("apiKey") ?? undefined);
      sendJson(res, 200, faults.snapshot());
    } else if (method === "POST") {
      const r = faults.apply(body);
      if (!r.ok) badRequest(res, `Invalid fault: ${r.message}`);
      else sendJson(res, 200, { scope: r.scope, ...faults.snapshot() });
    } else return false;
    return true;
  }
  if (path === "/_sim/stats" && method === "GET") {
    sendJson(res, 200, statsJson(reg, q.get("apiKey") ?? undefined));
    return true;
  }
  if (path === "/_sim/reset" && method === "POST") {
    reg.reset(apiKeyParam);
    if (apiKeyParam === undefined) {
      faults.clear();
      webhooks.cancelPending();
    } else faults.clear(apiKeyParam);
    sendJson(res, 200, { ok: true, scope: apiKeyParam ?? "all" });
    return true;
  }
  if (path === "/_sim/clock") {
    if (method === "POST") {
      const s = body.advanceSeconds;
      const n = typeof s === "number" ? s : typeof s === "string" ? Number(s) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) {
        badRequest(res, "advanceSeconds must be a non-negative integer.");
        return true;
      }
      reg.clock.advance(n);
    } else if (method !== "GET") return false;
    sendJson(res, 200, { now: reg.clock.now(), offsetSeconds: reg.clock.offsetSeconds });
    return true;
  }
  if (path === "/_sim/webhooks") {
    if (method === "GET") sendJson(res, 200, webhooks.describe());
    else if (method === "DELETE") {
      webhooks.setEndpoint(null, apiKeyParam);
      sendJson(res, 200, webhooks.describe());
    } else if (method === "POST") {
      const target = body.url;
      if (typeof target !== "string" || !/^https?:\/\//.test(target)) {
        badRequest(res, "url must be an http(s) URL.");
        return true;
      }
      const secret = typeof body.secret === "string" && body.secret ? body.secret : deps.defaultWebhookSecret;
      webhooks.setEndpoint({ url: target, secret }, apiKeyParam);
      sendJson(res, 200, webhooks.describe());
    } else return false;
    return true;
  }
  const threeDs = /^\/_sim\/3ds\/([^/]+)$/.exec(path);
  if (threeDs && method === "POST") {
    const found = findIntent(reg, threeDs[1] ?? "");
    const outcome = outcomeOf(body.outcome ?? "success");
    if (!found) {
      sendJson(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such payment_intent: '${threeDs[1] ?? ""}'` } });
      return true;
    }
    if (!outcome) {
      badRequest(res, "outcome must be 'success' or 'fail'.");
      return true;
    }
    try {
      const pi = completeThreeDs(deps.ctxFor(found.store), found.pi, outcome);
      sendJson(res, 200, paymentIntentJson(pi));
    } catch (e) {
      if (e instanceof SimError) sendJson(res, e.status, { error: e.body });
      else throw e;
    }
    return true;
  }
  const refundDecision = /^\/_sim\/refunds\/([^/]+)$/.exec(path);
  if (refundDecision && method === "POST") {
    const id = refundDecision[1] ?? "";
    const store = reg.owners.get(id);
    const refund = store?.refunds.get(id);
    if (!store || !refund) {
      sendJson(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such refund: '${id}'` } });
      return true;
    }
    const outcome = body.outcome;
    if (outcome !== "succeeded" && outcome !== "failed") {
      badRequest(res, "outcome must be 'succeeded' or 'failed'.");
      return true;
    }
    const failureReason = typeof body.failure_reason === "string" && body.failure_reason ? body.failure_reason : "unknown";
    try {
      const decided = decideRefund(deps.ctxFor(store), refund, outcome === "succeeded" ? { outcome } : { outcome, failureReason });
      sendJson(res, 200, refundJson(decided));
    } catch (e) {
      if (e instanceof SimError) sendJson(res, e.status, { error: e.body });
      else throw e;
    }
    return true;
  }
  if (path === "/_sim/reconciliation" && method === "POST") {
    const r = alterReport(reg, body);
    if (r.ok) sendJson(res, 200, r.body);
    else sendJson(res, r.status, { error: { type: "invalid_request_error", message: r.message } });
    return true;
  }
  if (path === "/_sim/disputes" && method === "POST") {
    const found = findCharge(reg, body);
    if ("error" in found) {
      sendJson(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", param: found.param, message: found.error } });
      return true;
    }
    const reason = typeof body.reason === "string" && body.reason ? body.reason : "fraudulent";
    guarded(res, () => disputeJsonFor(found.store, openDispute(deps.ctxFor(found.store), found.charge, reason)));
    return true;
  }
  const disputeRoute = /^\/_sim\/disputes\/([^/]+)(\/decide)?$/.exec(path);
  if (disputeRoute) {
    const id = disputeRoute[1] ?? "";
    const store = reg.owners.get(id);
    const dp = store?.disputes.get(id);
    if (!store || !dp) {
      sendJson(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such dispute: '${id}'` } });
      return true;
    }
    if (!disputeRoute[2] && method === "GET") {
      sendJson(res, 200, disputeJsonFor(store, dp)); // includes the evidence received
      return true;
    }
    if (!disputeRoute[2] || method !== "POST") return false;
    const outcome = body.outcome;
    if (outcome !== "won" && outcome !== "lost") {
      badRequest(res, "outcome must be 'won' or 'lost'.");
      return true;
    }
    guarded(res, () => disputeJsonFor(store, decideDispute(deps.ctxFor(store), dp, outcome)));
    return true;
  }
  return false;
}

/** `GET /3ds/:id` (challenge page) and `POST /3ds/:id/complete` (form field outcome). */
export function handleThreeDs(deps: ControlDeps, req: IncomingMessage, res: ServerResponse, url: URL, raw: string): boolean {
  const method = req.method ?? "GET";
  const page = /^\/3ds\/([^/]+)\/?$/.exec(url.pathname);
  const complete = /^\/3ds\/([^/]+)\/complete\/?$/.exec(url.pathname);
  const id = page?.[1] ?? complete?.[1];
  if (!id) return false;
  const found = findIntent(deps.reg, id);
  if (!found) {
    send(res, 404, messagePage("Not found", `No such payment_intent: ${id}`), {}, "text/html; charset=utf-8");
    return true;
  }
  if (page && method === "GET") {
    send(res, 200, challengePage(found.pi), { "Cache-Control": "no-store" }, "text/html; charset=utf-8");
    return true;
  }
  if (complete && method === "POST") {
    const form = parseBody(raw, req.headers["content-type"]) ?? {};
    const outcome = outcomeOf(form.outcome ?? url.searchParams.get("outcome"));
    if (!outcome) {
      send(res, 400, messagePage("Bad request", "outcome must be success or fail"), {}, "text/html; charset=utf-8");
      return true;
    }
    if (found.pi.status === "requires_action") {
      try {
        completeThreeDs(deps.ctxFor(found.store), found.pi, outcome);
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        // a decline after authentication is recorded on the intent; fall through to the redirect
      }
    }
    const location = returnLocation(found.pi);
    if (location) redirect(res, location);
    else send(res, 200, messagePage("Authentication finished", `PaymentIntent ${found.pi.id} is now ${found.pi.status}.`), {}, "text/html; charset=utf-8");
    return true;
  }
  return false;
}

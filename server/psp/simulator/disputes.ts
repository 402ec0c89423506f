/**
 * Disputes (chargebacks): opened by the card network after a capture, answered by the merchant with
 * evidence or accepted (close), decided won or lost through the control API. Each step books
 * balance transactions and emits the events Stripe sends.
 */
import { emit, type OpCtx } from "./context";
import { invalidParam, invalidRequest } from "./errors";
import { DISPUTE_FEE_MINOR } from "./fees";
import type { Params } from "../../http/stripe-form";
import { newId } from "./ids";
import { mergeMetadata, optBool, optMetadata } from "./params";
import { disputeJsonFor } from "./serialize";
import type { ChargeRec, DisputeRec, DisputeStatus } from "./state";
import { EVIDENCE_FIELDS } from "./evidence";

const EVIDENCE_SET: ReadonlySet<string> = new Set(EVIDENCE_FIELDS);
/** Stripe limits the combined evidence text to 150,000 characters. */
const MAX_EVIDENCE_CHARS = 150_000;
const EVIDENCE_WINDOW_SECONDS = 7 * 86400;

const CLOSED: readonly DisputeStatus[] = ["won", "lost", "warning_closed", "prevented"];
const AWAITING_RESPONSE: readonly DisputeStatus[] = ["needs_response", "warning_needs_response"];

export const isClosed = (dp: DisputeRec) => CLOSED.includes(dp.status);

/** The network opens a dispute on a captured charge: the undisputed remainder and the fee are withdrawn. */
export function openDispute(ctx: OpCtx, charge: ChargeRec, reason: string): DisputeRec {
  if (charge.status !== "succeeded" || !charge.captured) {
    throw invalidRequest("charge_not_captured", `Charge ${charge.id} has not been captured; there is nothing to dispute.`, "charge");
  }
  if (charge.disputed) throw invalidRequest("charge_disputed", `Charge ${charge.id} has already been disputed.`, "charge");
  const amount = charge.amountCaptured - charge.amountRefunded;
  if (amount <= 0) throw invalidRequest("charge_already_refunded", `Charge ${charge.id} has been refunded in full; there is nothing to dispute.`, "charge");
  const now = ctx.reg.clock.now();
  const dpId = newId("dp");
  const txn = ctx.store.balanceTransactions.add({
    id: newId("txn"),
    created: now,
    amount: -amount,
    fee: DISPUTE_FEE_MINOR,
    net: -amount - DISPUTE_FEE_MINOR,
    currency: charge.currency,
    type: "adjustment",
    reportingCategory: "dispute",
    source: dpId,
    description: `Chargeback withdrawal for ${charge.id}`,
  });
  const dp = ctx.store.disputes.add({
    id: dpId,
    created: now,
    amount,
    currency: charge.currency,
    charge: charge.id,
    paymentIntent: charge.paymentIntent,
    reason,
    status: "needs_response",
    balanceTransactions: [txn.id],
    evidence: {},
    submissionCount: 0,
    dueBy: now + EVIDENCE_WINDOW_SECONDS,
    metadata: {},
  });
  ctx.reg.owners.set(dpId, ctx.store); // the control API decides disputes by id
  charge.disputed = true;
  ctx.store.stats.disputes += 1;
  emit(ctx, "charge.dispute.created", disputeJsonFor(ctx.store, dp));
  emit(ctx, "charge.dispute.funds_withdrawn", disputeJsonFor(ctx.store, dp));
  return dp;
}

function readEvidence(p: Params): Record<string, string> | undefined {
  const v = p.evidence;
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw invalidParam("evidence", "Invalid evidence: must be an object of evidence fields.");
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (!EVIDENCE_SET.has(k)) throw invalidParam(`evidence[${k}]`, `Received unknown parameter: evidence[${k}]`);
    if (typeof val !== "string") throw invalidParam(`evidence[${k}]`, `Invalid string: evidence[${k}]`);
    out[k] = val;
  }
  return out;
}

/** `POST /v1/disputes/:id`: stage or submit evidence, update metadata. Evidence is refused once submitted or closed. */
export function updateDispute(ctx: OpCtx, dp: DisputeRec, p: Params): DisputeRec {
  const evidence = readEvidence(p);
  const metadata = optMetadata(p);
  const submit = optBool(p, "submit") ?? evidence !== undefined;
  if ((evidence !== undefined || submit) && !AWAITING_RESPONSE.includes(dp.status)) {
    throw invalidRequest(
      "dispute_unexpected_state",
      `Dispute ${dp.id} has a status of ${dp.status}; evidence can only be updated or submitted while it needs a response.`,
      "evidence",
    );
  }
  if (evidence !== undefined) {
    const next = { ...dp.evidence };
    for (const [k, v] of Object.entries(evidence)) {
      if (v === "") delete next[k];
      else next[k] = v;
    }
    const size = Object.values(next).reduce((n, s) => n + s.length, 0);
    if (size > MAX_EVIDENCE_CHARS) throw invalidParam("evidence", `The combined evidence text may be at most ${MAX_EVIDENCE_CHARS} characters.`);
    dp.evidence = next;
  }
  dp.metadata = mergeMetadata(dp.metadata, metadata);
  if (submit) {
    dp.status = dp.status === "warning_needs_response" ? "warning_under_review" : "under_review";
    dp.submissionCount += 1;
    ctx.store.stats.evidenceSubmissions += 1;
  }
  emit(ctx, "charge.dispute.updated", disputeJsonFor(ctx.store, dp));
  return dp;
}

/** `POST /v1/disputes/:id/close`: the merchant accepts the loss. Closing a lost dispute again changes nothing. */
export function closeDispute(ctx: OpCtx, dp: DisputeRec): DisputeRec {
  if (dp.status === "lost") return dp;
  if (isClosed(dp)) throw invalidRequest("dispute_already_closed", `Dispute ${dp.id} is already closed with status ${dp.status}.`);
  dp.status = "lost";
  emit(ctx, "charge.dispute.closed", disputeJsonFor(ctx.store, dp));
  return dp;
}

/** The network's decision (control API). Won: the amount and the fee are reinstated. */
export function decideDispute(ctx: OpCtx, dp: DisputeRec, outcome: "won" | "lost"): DisputeRec {
  if (isClosed(dp)) throw invalidRequest("dispute_already_closed", `Dispute ${dp.id} is already closed with status ${dp.status}.`);
  dp.status = outcome;
  if (outcome === "won") {
    const txn = ctx.store.balanceTransactions.add({
      id: newId("txn"),
      created: ctx.reg.clock.now(),
      amount: dp.amount,
      fee: -DISPUTE_FEE_MINOR,
      net: dp.amount + DISPUTE_FEE_MINOR,
      currency: dp.currency,
      type: "adjustment",
      reportingCategory: "dispute_reversal",
      source: dp.id,
      description: `Chargeback reversal for ${dp.charge}`,
    });
    dp.balanceTransactions.push(txn.id);
    emit(ctx, "charge.dispute.funds_reinstated", disputeJsonFor(ctx.store, dp));
  }
  emit(ctx, "charge.dispute.closed", disputeJsonFor(ctx.store, dp));
  return dp;
}

import { DomainError } from "../errors";
import { derivedId, newId } from "../ids";
import { finish, type CallOptions, type PaymentsContext } from "../payments/context";
import { pspUnavailable } from "../payments/orchestrator";
import type { DisputeResult } from "../psp/types";
import { applyDisputeSnapshot } from "./apply";
import { disputeBalanceTransactions, findDispute, type DisputeRow } from "./repository";
import type { UpdateDisputeInput } from "./schemas";
import { serializeDispute, type DisputeResource } from "./serialize";

const AWAITING_RESPONSE: readonly DisputeRow["status"][] = ["needs_response", "warning_needs_response"];
const CLOSED: readonly DisputeRow["status"][] = ["won", "lost", "warning_closed", "prevented"];

async function requireDispute(ctx: PaymentsContext, merchantId: string, id: string): Promise<DisputeRow> {
  const d = await findDispute(ctx.db, merchantId, id);
  if (!d) throw new DomainError("resource_missing", `No such dispute: '${id}'`, { param: "dispute" });
  return d;
}

/** A deterministic PSP key per merchant request, so a resumed request never repeats its effect. */
const pspKey = (op: string, merchantId: string, opts: CallOptions) => (opts.requestKey ? derivedId(op, merchantId, opts.requestKey) : newId(op));

/**
 * The PSP's answer applied in one transaction with the stored response (idempotency). The PSP is
 * called outside any transaction; its webhooks later converge on the same state.
 */
async function applyAnswer(ctx: PaymentsContext, d: DisputeRow, result: DisputeResult, opts: CallOptions): Promise<DisputeResource> {
  if (result.outcome === "unknown") throw pspUnavailable(d.id, result.reason);
  if (result.outcome === "failed") {
    throw new DomainError("dispute_unexpected_state", `The payment processor refused the change to ${d.id}: ${result.message}`, { log: { pspCode: result.code } });
  }
  return ctx.db.transaction(async (tx) => {
    const payrail = { merchantId: d.merchantId, paymentIntentId: d.paymentIntentId };
    const applied = await applyDisputeSnapshot(tx, { ...result, payrail });
    const view = serializeDispute(applied, await disputeBalanceTransactions(tx, d.merchantId, [applied.id]));
    await finish(tx, opts, { ok: true, value: view });
    return view;
  });
}

/** Stages or submits evidence and updates metadata at the PSP, then applies what the PSP reports. */
export async function updateDispute(ctx: PaymentsContext, merchantId: string, id: string, input: UpdateDisputeInput, opts: CallOptions = {}): Promise<DisputeResource> {
  const d = await requireDispute(ctx, merchantId, id);
  const submit = input.submit ?? input.evidence !== undefined;
  if ((input.evidence !== undefined || submit) && !AWAITING_RESPONSE.includes(d.status)) {
    throw new DomainError(
      "dispute_unexpected_state",
      `Dispute ${d.id} has a status of ${d.status}; evidence can only be updated or submitted while it needs a response.`,
      { param: "evidence" },
    );
  }
  const evidence = input.evidence ? (Object.fromEntries(Object.entries(input.evidence).filter(([, v]) => v !== undefined)) as Record<string, string>) : undefined;
  const result = await ctx.psp.updateDispute({
    pspDisputeId: d.pspDisputeId,
    idempotencyKey: pspKey("dpu", merchantId, opts),
    ...(evidence ? { evidence } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    submit,
  });
  return applyAnswer(ctx, d, result, opts);
}

/** Accepts the loss: the PSP closes the dispute as lost. Closing a lost dispute again answers it unchanged. */
export async function closeDispute(ctx: PaymentsContext, merchantId: string, id: string, opts: CallOptions = {}): Promise<DisputeResource> {
  const d = await requireDispute(ctx, merchantId, id);
  if (CLOSED.includes(d.status) && d.status !== "lost") {
    throw new DomainError("dispute_unexpected_state", `Dispute ${d.id} is already closed with status ${d.status}.`);
  }
  const result = await ctx.psp.closeDispute({ pspDisputeId: d.pspDisputeId, idempotencyKey: pspKey("dpc", merchantId, opts) });
  return applyAnswer(ctx, d, result, opts);
}

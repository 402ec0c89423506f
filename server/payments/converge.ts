import { env } from "../env";
import type { AttemptKind } from "@/db/schema/statuses";
import { applyAuthorizeResult, applyCancelResult, applyCaptureResult } from "./apply";
import { refreshRequiresAction } from "./authentication";
import type { PaymentsContext } from "./context";
import { findPaymentIntent, findPendingAttempt, type AttemptRow, type PaymentIntentRow } from "./repository";
import { verdictFor } from "./psp-verdict";

/**
 * Converging with the PSP: an intent's pending call is resolved from the PSP's retrieved state
 * through the same apply functions the orchestrator uses, so webhooks, retrieve, confirm and the
 * recovery sweep share one path. Duplicates and late events are harmless: apply acts only while
 * the attempt is still pending (under the intent's row lock) and the state machine refuses any
 * backward move.
 */
export type SettleOutcome =
  | { outcome: "applied" }
  | { outcome: "processing" | "not_reached"; pspStatus?: string }
  | { outcome: "unknown"; reason: string };

type CallKind = Exclude<AttemptKind, "refund">;

const IN_FLIGHT_KIND: Partial<Record<PaymentIntentRow["status"], CallKind>> = {
  authorizing: "authorize",
  capturing: "capture",
  cancelling: "cancel",
};

/** Asks the PSP for its intent and applies what it shows about `attempt`. */
export async function settleFromPsp(
  ctx: PaymentsContext,
  pi: PaymentIntentRow,
  attempt: AttemptRow & { kind: CallKind },
  hintPspIntentId?: string | null,
): Promise<SettleOutcome> {
  // A webhook names the PSP intent even when the crash came before we could record its id.
  const pspId = pi.pspPaymentIntentId ?? hintPspIntentId;
  if (!pspId) return { outcome: "not_reached" };
  const snap = await ctx.psp.retrieve(pspId);
  if ("outcome" in snap) return { outcome: "unknown", reason: snap.reason };
  const verdict = verdictFor(attempt.kind, snap, pi.pspPaymentIntentId === null);
  if (verdict.kind !== "apply") return { outcome: verdict.kind, pspStatus: snap.status };
  const { merchantId, id } = pi;
  await ctx.db.transaction((tx) => {
    switch (attempt.kind) {
      case "authorize":
        return applyAuthorizeResult(tx, merchantId, id, attempt.id, verdict.result as Parameters<typeof applyAuthorizeResult>[4]);
      case "capture":
        return applyCaptureResult(tx, merchantId, id, attempt.id, verdict.result as Parameters<typeof applyCaptureResult>[4]);
      case "cancel":
        return applyCancelResult(tx, merchantId, id, attempt.id, verdict.result as Parameters<typeof applyCancelResult>[4]);
    }
  });
  return { outcome: "applied" };
}

/** Thrown when converging must wait (the call may still be inside its request, or the PSP did not answer): retried. */
export class NotYetConverged extends Error {}

/**
 * How long a pending call may still be running inside the request that made it: the PSP timeout
 * for each of the SDK's tries, plus a margin. Younger attempts are left to their request, so a
 * merchant's response (a 402 decline, say) is never pre-empted by a webhook.
 */
export function inRequestWindowMs(): number {
  const e = env();
  return (e.PSP_TIMEOUT_MS ?? 10_000) * (1 + (e.PSP_MAX_NETWORK_RETRIES ?? 2)) + 2_000;
}

/**
 * A PSP event about one of our intents: bring the intent to the PSP's state. Returns whether
 * anything was applied; throws NotYetConverged to be retried.
 */
export async function syncIntentWithPsp(
  ctx: PaymentsContext,
  merchantId: string,
  paymentIntentId: string,
  hintPspIntentId: string | null,
  now = new Date(),
): Promise<"applied" | "ignored"> {
  const pi = await findPaymentIntent(ctx.db, merchantId, paymentIntentId);
  if (!pi) return "ignored";
  if (pi.status === "requires_action") {
    await refreshRequiresAction(ctx, merchantId, pi.id); // applies a finished challenge once
    return "applied";
  }
  const kind = IN_FLIGHT_KIND[pi.status];
  if (!kind) return "ignored"; // settled already: a duplicate or late event changes nothing
  const attempt = await findPendingAttempt(ctx.db, pi.id, kind);
  if (!attempt) return "ignored";
  if (now.getTime() - attempt.createdAt.getTime() < inRequestWindowMs()) {
    throw new NotYetConverged(`the ${kind} call ${attempt.id} of ${pi.id} may still be running in its request`);
  }
  const settled = await settleFromPsp(ctx, pi, { ...attempt, kind }, hintPspIntentId);
  if (settled.outcome === "unknown") throw new NotYetConverged(`the PSP did not answer for ${pi.id}`);
  // processing: the PSP will send another event when it is done (and the sweep polls meanwhile).
  return settled.outcome === "applied" ? "applied" : "ignored";
}

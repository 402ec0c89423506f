import type { DbOrTx } from "@/db/client";
import { recordException } from "../exceptions/repository";
import { logger } from "../logger";
import type { Disagreement } from "./psp-compare";

export interface ResultRef {
  merchantId: string;
  paymentIntentId: string;
  attemptId: string;
  operation: "authorize" | "capture" | "cancel" | "refund";
  refundId?: string | null;
  pspReference?: string | null;
}

/**
 * Records each disagreement between a PSP result and our records for finance, in the transaction
 * that applies the result: one exception per attempt and field, so a replayed apply adds nothing.
 */
export async function recordPspDisagreements(tx: DbOrTx, ref: ResultRef, disagreements: readonly Disagreement[]): Promise<void> {
  for (const d of disagreements) {
    const created = await recordException(tx, {
      merchantId: ref.merchantId,
      kind: d.kind,
      source: "psp_result",
      detail: `The PSP's ${ref.operation} result for ${ref.refundId ?? ref.paymentIntentId} reports ${d.field} ${d.theirs}; we recorded ${d.ours}.`,
      dedupeKey: `psp_result:${ref.attemptId}:${d.field}`,
      paymentIntentId: ref.paymentIntentId,
      refundId: ref.refundId ?? null,
      attemptId: ref.attemptId,
      pspReference: ref.pspReference ?? null,
      ours: { [d.field]: d.ours },
      theirs: { [d.field]: d.theirs },
    });
    if (created) logger.warn({ attemptId: ref.attemptId, kind: d.kind, field: d.field }, "PSP result disagrees with our records");
  }
}

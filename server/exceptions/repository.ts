import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { financeExceptions } from "@/db/schema";
import type { ExceptionKind, ExceptionSource, ExceptionStatus } from "@/db/schema/statuses";
import { newId } from "../ids";

export type FinanceExceptionRow = typeof financeExceptions.$inferSelect;

export interface NewFinanceException {
  merchantId: string;
  kind: ExceptionKind;
  source: ExceptionSource;
  detail: string;
  /** Same key, same disagreement: recording it again changes nothing. */
  dedupeKey: string;
  paymentIntentId?: string | null;
  refundId?: string | null;
  attemptId?: string | null;
  pspReference?: string | null;
  ours?: Record<string, unknown>;
  theirs?: Record<string, unknown>;
}

/** Records a disagreement for finance once; returns true when it was new. */
export async function recordException(db: DbOrTx, e: NewFinanceException): Promise<boolean> {
  const rows = await db
    .insert(financeExceptions)
    .values({ id: newId("fex"), ...e, ours: e.ours ?? {}, theirs: e.theirs ?? {} })
    .onConflictDoNothing({ target: financeExceptions.dedupeKey })
    .returning({ id: financeExceptions.id });
  return rows.length === 1;
}

export async function listExceptions(
  db: DbOrTx,
  p: { merchantId: string; status?: ExceptionStatus; paymentIntentId?: string; limit?: number },
): Promise<FinanceExceptionRow[]> {
  const conds = [eq(financeExceptions.merchantId, p.merchantId)];
  if (p.status) conds.push(eq(financeExceptions.status, p.status));
  if (p.paymentIntentId) conds.push(eq(financeExceptions.paymentIntentId, p.paymentIntentId));
  return db
    .select()
    .from(financeExceptions)
    .where(and(...conds))
    .orderBy(desc(financeExceptions.createdAt), desc(financeExceptions.id))
    .limit(p.limit ?? 100);
}

import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { balanceTransactions, charges, disputes, events } from "@/db/schema";
import { newId } from "../ids";
import { currentRequest } from "../request-context";
import { keysetPage, type ListParams } from "../payments/repository";

export type DisputeRow = typeof disputes.$inferSelect;
export type NewDisputeRow = typeof disputes.$inferInsert;

export async function findDispute(db: DbOrTx, merchantId: string, id: string): Promise<DisputeRow | undefined> {
  const [row] = await db.select().from(disputes).where(and(eq(disputes.merchantId, merchantId), eq(disputes.id, id)));
  return row;
}

export async function findDisputeByPsp(db: DbOrTx, merchantId: string, pspDisputeId: string): Promise<DisputeRow | undefined> {
  const [row] = await db.select().from(disputes).where(and(eq(disputes.merchantId, merchantId), eq(disputes.pspDisputeId, pspDisputeId)));
  return row;
}

/** Once per PSP dispute: a second insert (a concurrent applier) finds the row already there. */
export async function insertDispute(db: DbOrTx, row: NewDisputeRow): Promise<DisputeRow> {
  await db.insert(disputes).values(row).onConflictDoNothing();
  return (await findDisputeByPsp(db, row.merchantId, row.pspDisputeId))!;
}

export async function updateDisputeRow(db: DbOrTx, id: string, changes: Partial<NewDisputeRow>): Promise<DisputeRow> {
  const [row] = await db
    .update(disputes)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(disputes.id, id))
    .returning();
  return row!;
}

export async function markChargeDisputed(db: DbOrTx, chargeId: string): Promise<void> {
  await db.update(charges).set({ disputed: true, updatedAt: new Date() }).where(eq(charges.id, chargeId));
}

export async function listDisputes(db: DbOrTx, p: ListParams & { paymentIntentId?: string; chargeId?: string }) {
  const conds: SQL[] = [eq(disputes.merchantId, p.merchantId)];
  if (p.paymentIntentId) conds.push(eq(disputes.paymentIntentId, p.paymentIntentId));
  if (p.chargeId) conds.push(eq(disputes.chargeId, p.chargeId));
  return keysetPage<DisputeRow>(db, disputes, conds, p);
}

/** The dispute's balance transactions (withdrawal, reinstatement), oldest first. */
export async function disputeBalanceTransactions(db: DbOrTx, merchantId: string, disputeIds: string[]) {
  if (disputeIds.length === 0) return [];
  return db
    .select()
    .from(balanceTransactions)
    .where(and(eq(balanceTransactions.merchantId, merchantId), inArray(balanceTransactions.sourceId, disputeIds)))
    .orderBy(balanceTransactions.createdAt, balanceTransactions.id);
}

/**
 * The merchant events of one applied dispute change, in one insert (the outbox trigger numbers them
 * in this order for delivery). Each is a microsecond later than the one before, so /v1/events lists
 * them in the order they happened, not in the random order of their ids.
 */
export async function recordDisputeEvents(db: DbOrTx, merchantId: string, disputeId: string, types: readonly string[], object: Record<string, unknown>) {
  if (types.length === 0) return;
  const request = currentRequest();
  await db.insert(events).values(
    types.map((type, i) => ({
      id: newId("evt"),
      merchantId,
      type,
      objectId: disputeId,
      data: { object },
      requestId: request?.requestId ?? null,
      requestIdempotencyKey: request?.idempotencyKey ?? null,
      createdAt: sql`now() + make_interval(secs => ${i} * 0.000001)`,
    })),
  );
}

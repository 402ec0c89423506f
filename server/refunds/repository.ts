import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { refunds } from "@/db/schema";
import { keysetPage, type ListParams } from "../payments/repository";

export type RefundRow = typeof refunds.$inferSelect;

export async function insertRefund(db: DbOrTx, row: typeof refunds.$inferInsert): Promise<{ row: RefundRow; created: boolean }> {
  const [created] = await db.insert(refunds).values(row).onConflictDoNothing({ target: refunds.id }).returning();
  if (created) return { row: created, created: true };
  const [existing] = await db.select().from(refunds).where(eq(refunds.id, row.id));
  return { row: existing!, created: false };
}

export async function findRefund(db: DbOrTx, merchantId: string, id: string): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.id, id)));
  return row;
}

export async function updateRefund(db: DbOrTx, id: string, changes: Partial<typeof refunds.$inferInsert>): Promise<RefundRow> {
  const [row] = await db.update(refunds).set({ ...changes, updatedAt: new Date() }).where(eq(refunds.id, id)).returning();
  return row!;
}

/** Sum of refunds that are pending or succeeded: what is no longer available to refund. */
export async function committedRefundTotal(db: DbOrTx, paymentIntentId: string): Promise<bigint> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)::text` })
    .from(refunds)
    .where(and(eq(refunds.paymentIntentId, paymentIntentId), inArray(refunds.status, ["pending", "succeeded"])));
  return BigInt(row?.total ?? "0");
}

export async function listRefunds(db: DbOrTx, p: ListParams & { paymentIntentId?: string }) {
  const conds: SQL[] = [eq(refunds.merchantId, p.merchantId)];
  if (p.paymentIntentId) conds.push(eq(refunds.paymentIntentId, p.paymentIntentId));
  return keysetPage<RefundRow>(db, refunds, conds, p);
}

/** By id alone, for PSP events (a PSP refund names our refund in its metadata, not the merchant). */
export async function findRefundById(db: DbOrTx, id: string): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
  return row;
}

/** A payment's refunds still waiting for the PSP's final answer. */
export async function listPendingRefunds(db: DbOrTx, paymentIntentId: string): Promise<RefundRow[]> {
  return db.select().from(refunds).where(and(eq(refunds.paymentIntentId, paymentIntentId), eq(refunds.status, "pending")));
}
